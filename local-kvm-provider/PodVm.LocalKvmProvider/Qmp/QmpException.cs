namespace PodVm.LocalKvmProvider.Qmp;

/// <summary>The QMP conversation failed: QEMU answered with an error, sent garbage, or went away.</summary>
public sealed class QmpException : Exception
{
    public QmpException()
    {
    }

    public QmpException(string message)
        : base(message)
    {
    }

    public QmpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The QMP error class ("GenericError", "CommandNotFound"...), when QEMU sent one.</summary>
    public string? ErrorClass { get; init; }
}
