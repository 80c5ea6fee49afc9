namespace PodVm.GuestAgent.Images;

/// <summary>An image layout that is missing, malformed, or whose content does not match its digests.</summary>
public sealed class OciImageException : Exception
{
    public OciImageException()
    {
    }

    public OciImageException(string message)
        : base(message)
    {
    }

    public OciImageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
