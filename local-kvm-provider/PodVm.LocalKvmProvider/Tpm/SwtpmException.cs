namespace PodVm.LocalKvmProvider.Tpm;

/// <summary>swtpm could not be started for a VM.</summary>
public sealed class SwtpmException : Exception
{
    public SwtpmException(string message)
        : base(message)
    {
    }

    public SwtpmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
