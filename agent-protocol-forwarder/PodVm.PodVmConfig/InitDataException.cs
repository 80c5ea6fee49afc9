namespace PodVm.PodVmConfig;

/// <summary>Initdata that cannot be used; the message says why.</summary>
public sealed class InitDataException : Exception
{
    public InitDataException()
    {
    }

    public InitDataException(string message)
        : base(message)
    {
    }

    public InitDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
