using Microsoft.Extensions.Logging;

namespace PodVm.CloudApiAdaptor.Lifecycle;

/// <summary>Log messages about <see cref="IPodLifecycleObserver"/> calls (event ids 2150-2159 of PodVm.CloudApiAdaptor).</summary>
internal static partial class PodLifecycleObserverLog
{
    [LoggerMessage(EventId = 2150, Level = LogLevel.Warning, Message = "sandbox {SandboxId}: the lifecycle observer failed in {Step}; the pod continues without it")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string sandboxId, string step);

    [LoggerMessage(EventId = 2151, Level = LogLevel.Warning, Message = "StartVM {SandboxId}: pod {PodNamespace}/{PodName} no longer exists; deleting its new instance {InstanceId}")]
    public static partial void PodGone(ILogger logger, string sandboxId, string podNamespace, string podName, string instanceId);
}
