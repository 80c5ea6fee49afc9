namespace PodVm.LocalKvmProvider.Provider;

/// <summary>QEMU of a VM died without being deleted; <see cref="ConsoleLog"/> holds the guest's last words.</summary>
public sealed class InstanceExitedEventArgs(string instanceId, int pid, string consoleLog, string? lastQmpEvent) : EventArgs
{
    public string InstanceId { get; } = instanceId;
    public int Pid { get; } = pid;
    public string ConsoleLog { get; } = consoleLog;
    /// <summary>The last QMP event seen (SHUTDOWN when the guest powered off), or null when QEMU was killed.</summary>
    public string? LastQmpEvent { get; } = lastQmpEvent;
}
