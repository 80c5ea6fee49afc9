namespace PodVm.LocalKvmProvider.Qemu;

/// <summary>QEMU failed to start; the message carries its stderr.</summary>
public sealed class QemuLaunchException : Exception
{
    public QemuLaunchException()
    {
    }

    public QemuLaunchException(string message)
        : base(message)
    {
    }

    public QemuLaunchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the failure is the host-forward port being taken (retry with another port).</summary>
    public bool IsPortConflict => Message.Contains("host forwarding", StringComparison.OrdinalIgnoreCase);
}
