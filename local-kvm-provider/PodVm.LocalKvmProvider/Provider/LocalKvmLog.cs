using Microsoft.Extensions.Logging;

namespace PodVm.LocalKvmProvider.Provider;

/// <summary>Logging for the local provider; event ids 3000-3099.</summary>
internal static partial class LocalKvmLog
{
    [LoggerMessage(3000, LogLevel.Information, "VM {InstanceId} starting: {Accelerator}, {VCpus} vCPU, {MemoryMiB} MiB, forward 127.0.0.1:{Port}, console log {ConsoleLog}")]
    public static partial void Starting(ILogger logger, string instanceId, string accelerator, int vCpus, int memoryMiB, int port, string consoleLog);

    [LoggerMessage(3001, LogLevel.Information, "VM {InstanceId} is ready (guest uptime {GuestUptime} s, {ElapsedMs} ms after launch)")]
    public static partial void Ready(ILogger logger, string instanceId, string guestUptime, long elapsedMs);

    [LoggerMessage(3002, LogLevel.Warning, "VM {InstanceId}: QEMU (pid {Pid}) exited unexpectedly; console log {ConsoleLog}")]
    public static partial void Exited(ILogger logger, string instanceId, int pid, string consoleLog);

    [LoggerMessage(3003, LogLevel.Information, "VM {InstanceId} deleted ({How})")]
    public static partial void Deleted(ILogger logger, string instanceId, string how);

    [LoggerMessage(3004, LogLevel.Information, "VM {InstanceId} (pid {Pid}) adopted after restart")]
    public static partial void Adopted(ILogger logger, string instanceId, int pid);

    [LoggerMessage(3005, LogLevel.Information, "VM {InstanceId} found dead after restart; cleaned up (console log kept at {ConsoleLog})")]
    public static partial void CleanedDead(ILogger logger, string instanceId, string consoleLog);

    [LoggerMessage(3006, LogLevel.Warning, "VM {InstanceId}: {Channel} not connected ({Reason}); supervising by pid only")]
    public static partial void ChannelUnavailable(ILogger logger, string instanceId, string channel, string reason);

    [LoggerMessage(3007, LogLevel.Warning, "VM {InstanceId}: host port {Port} was taken; retrying with another")]
    public static partial void PortConflict(ILogger logger, string instanceId, int port);

    [LoggerMessage(3008, LogLevel.Warning, "VM {InstanceId} failed to start; cleaning up: {Reason}")]
    public static partial void CreateFailed(ILogger logger, string instanceId, string reason);

    [LoggerMessage(3009, LogLevel.Debug, "VM {InstanceId}: QMP event {Event}")]
    public static partial void QmpEvent(ILogger logger, string instanceId, string @event);

    [LoggerMessage(3010, LogLevel.Information, "VM {InstanceId}: vTPM swtpm pid {Pid} (log {Log})")]
    public static partial void SwtpmStarted(ILogger logger, string instanceId, int pid, string log);
}
