using Microsoft.Extensions.Logging;
using PodVm.GuestHosting;

namespace PodVm.GuestAgent;

/// <summary>Source-generated log messages of the guest agent (event ids 4000-4099).</summary>
internal static partial class AgentLog
{
    /// <summary>The category of the agent's own lines.</summary>
    public const string Category = "podvm-guest-agent";

    // The lines of the start, before the agent reports ready, go straight to the console (see
    // GuestConsoleLoggerFactory.WriteLine for why); event ids and texts are as if they were logged.
    public static void NoPolicyAtStart(GuestConsoleLoggerFactory console) =>
        console.WriteLine(LogLevel.Warning, Category, 4000, "NO AGENT POLICY IS SET: every agent call from the host is allowed. Set one through initdata (policy.json) or SetPolicy.");

    public static void PolicySetAtStart(GuestConsoleLoggerFactory console, string source) =>
        console.WriteLine(LogLevel.Information, Category, 4001, PolicySetMessage.Replace("{Source}", source, StringComparison.Ordinal));

    public static void ListeningAtStart(GuestConsoleLoggerFactory console, string endpoint, string cgroupVersion) =>
        console.WriteLine(LogLevel.Information, Category, 4007, $"Guest agent listening on {endpoint} (cgroup {cgroupVersion})");

    /// <summary>Event 4001's text, for <see cref="PolicySet"/> and, with its one placeholder filled in, <see cref="PolicySetAtStart"/>.</summary>
    internal const string PolicySetMessage = "Agent policy in force (from {Source})";

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = PolicySetMessage)]
    public static partial void PolicySet(ILogger logger, string source);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Denied {Method}: {Reason}")]
    public static partial void Denied(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Container {ContainerId} created from {Image} (pid {Pid})")]
    public static partial void ContainerCreated(ILogger logger, string containerId, string image, int pid);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Process {ExecId} of container {ContainerId} exited with {ExitCode}")]
    public static partial void ProcessExited(ILogger logger, string containerId, string execId, int exitCode);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Container {ContainerId}: mount dropped: {Mount}")]
    public static partial void MountDropped(ILogger logger, string containerId, string mount);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "{Method} failed: {Message}")]
    public static partial void CallFailed(ILogger logger, string method, string message);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "Could not become child subreaper; exit codes of detached processes may be lost")]
    public static partial void NoSubreaper(ILogger logger);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "OOM events are not available for container {ContainerId}")]
    public static partial void NoOomWatch(ILogger logger, string containerId);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Sandbox {SandboxId} created (hostname {Hostname}, shared pid namespace {SharedPid})")]
    public static partial void SandboxCreated(ILogger logger, string sandboxId, string hostname, bool sharedPid);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "Container {ContainerId} removed")]
    public static partial void ContainerRemoved(ILogger logger, string containerId);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Error, Message = "Unexpected failure in {Method}")]
    public static partial void Unexpected(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Information, Message = "Confidential data hub at {Endpoint} is up after {ElapsedMs} ms; starting containers")]
    public static partial void CdhReady(ILogger logger, string endpoint, long elapsedMs);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Warning, Message = "Confidential data hub at {Endpoint} did not come up within {Timeout} although initdata configures a key broker ({ConfigFile}); containers start anyway and their secret requests will fail until it does")]
    public static partial void CdhNotReady(ILogger logger, string endpoint, TimeSpan timeout, string configFile);
}
