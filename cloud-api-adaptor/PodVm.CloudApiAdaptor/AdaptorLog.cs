using Microsoft.Extensions.Logging;
using PodVm.CloudApiAdaptor.Lifecycle;

namespace PodVm.CloudApiAdaptor;

/// <summary>The adaptor's log messages; event ids 2000-2199 belong to PodVm.CloudApiAdaptor.</summary>
internal static partial class AdaptorLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "CreateVM {SandboxId}: pod {PodNamespace}/{PodName}, instance {InstanceName}, type {InstanceType}")]
    public static partial void VmCreated(ILogger logger, string sandboxId, string podNamespace, string podName, string instanceName, string instanceType);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "StartVM {SandboxId}: instance {InstanceId} at {Address}, agent ready in {Seconds:0.00}s")]
    public static partial void VmStarted(ILogger logger, string sandboxId, string instanceId, string address, double seconds);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "StartVM {SandboxId} failed: {Reason}")]
    public static partial void VmStartFailed(ILogger logger, Exception exception, string sandboxId, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "StopVM {SandboxId}: instance {InstanceId} deleted")]
    public static partial void VmStopped(ILogger logger, string sandboxId, string? instanceId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "deleting instance {InstanceId} of sandbox {SandboxId} failed; the reconciler will retry")]
    public static partial void DeleteFailed(ILogger logger, Exception exception, string? instanceId, string sandboxId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "pod record {Path} could not be read and was moved aside")]
    public static partial void CorruptPodRecord(ILogger logger, string path);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "recovered sandbox {SandboxId} ({State}) after restart: {Outcome}")]
    public static partial void Recovered(ILogger logger, string sandboxId, PodState state, string outcome);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "reconciler: deleting instance {InstanceId} ({InstanceName}), which no pod claims (sandbox tag {SandboxId})")]
    public static partial void OrphanDeleted(ILogger logger, string instanceId, string instanceName, string? sandboxId);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "reconciler pass failed")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Debug, Message = "agent proxy {SandboxId}: forwarder connection to {Address} lost ({Detail}); reconnecting")]
    public static partial void ForwarderReconnect(ILogger logger, string sandboxId, string address, string detail);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "hypervisor service listening on {SocketPath} (provider {Provider}, cluster {Cluster}, node {Node})")]
    public static partial void Listening(ILogger logger, string socketPath, string provider, string cluster, string node);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "StopVM {SandboxId}: {Detail}")]
    public static partial void StopProblem(ILogger logger, string sandboxId, string detail);
}
