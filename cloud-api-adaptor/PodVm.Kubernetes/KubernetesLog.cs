using Microsoft.Extensions.Logging;

namespace PodVm.Kubernetes;

/// <summary>Source-generated log messages of PodVm.Kubernetes (event ids 9000-9099).</summary>
internal static partial class KubernetesLog
{
    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "Recorded PeerPod {Namespace}/{PeerPodName} for instance {InstanceId}")]
    public static partial void PeerPodRecorded(ILogger logger, string @namespace, string peerPodName, string instanceId);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Released PeerPod {Namespace}/{PeerPodName} of instance {InstanceId}")]
    public static partial void PeerPodReleased(ILogger logger, string @namespace, string peerPodName, string instanceId);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Kubernetes API call {Operation} failed, retrying: {Reason}")]
    public static partial void ApiRetry(ILogger logger, string operation, string reason);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "Listing PeerPods failed: {Reason}")]
    public static partial void ListFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, Message = "PeerPod watch from resourceVersion {ResourceVersion} expired (410 Gone); listing again")]
    public static partial void WatchExpired(ILogger logger, string resourceVersion);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Warning, Message = "PeerPod watch failed: {Reason}")]
    public static partial void WatchFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Warning, Message = "Could not clean up PeerPod {Namespace}/{PeerPodName}, will retry: {Reason}")]
    public static partial void ReconcileFailed(ILogger logger, string @namespace, string peerPodName, string reason);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Warning, Message = "PeerPod {Namespace}/{PeerPodName} names provider {Provider}, which is not configured here; its finalizer stays")]
    public static partial void ProviderNotConfigured(ILogger logger, string @namespace, string peerPodName, string provider);

    [LoggerMessage(EventId = 9008, Level = LogLevel.Information, Message = "Deleted instance {InstanceId} ({Provider}, existed: {Existed}) of deleted PeerPod {Namespace}/{PeerPodName}")]
    public static partial void InstanceDeletedForPeerPod(ILogger logger, string @namespace, string peerPodName, string instanceId, string provider, bool existed);

    [LoggerMessage(EventId = 9010, Level = LogLevel.Warning, Message = "Posting event {Reason} on {Kind} {Namespace}/{Name} failed: {Error}")]
    public static partial void EventPostFailed(ILogger logger, string reason, string kind, string @namespace, string name, string error);

    [LoggerMessage(EventId = 9011, Level = LogLevel.Information, Message = "Node {NodeName} advertises {Resource}={Capacity}")]
    public static partial void CapacityAdvertised(ILogger logger, string nodeName, string resource, int capacity);

    [LoggerMessage(EventId = 9012, Level = LogLevel.Information, Message = "Node {NodeName} no longer advertises {Resource}")]
    public static partial void CapacityWithdrawn(ILogger logger, string nodeName, string resource);

    [LoggerMessage(EventId = 9020, Level = LogLevel.Information, Message = "Instance {InstanceId} ({Provider}) is claimed by no PeerPod and no live pod; deleting it after the grace period")]
    public static partial void OrphanSeen(ILogger logger, string instanceId, string provider);

    [LoggerMessage(EventId = 9021, Level = LogLevel.Warning, Message = "Deleted orphaned instance {InstanceId} ({Provider}, {InstanceName}) of pod {Namespace}/{PodName}")]
    public static partial void OrphanDeleted(ILogger logger, string instanceId, string provider, string instanceName, string @namespace, string podName);

    [LoggerMessage(EventId = 9022, Level = LogLevel.Warning, Message = "Orphan sweep through provider {Provider} failed: {Reason}")]
    public static partial void SweepFailed(ILogger logger, string provider, string reason);

    [LoggerMessage(EventId = 9030, Level = LogLevel.Warning, Message = "No PeerPod recorded for sandbox {SandboxId} (pod {Namespace}/{PodName}, instance {InstanceId}): {Reason}; the pod runs on, and the orphan sweep covers the instance if the pod goes without a StopVM")]
    public static partial void PeerPodNotRecorded(ILogger logger, string sandboxId, string @namespace, string podName, string instanceId, string reason);

    [LoggerMessage(EventId = 9031, Level = LogLevel.Warning, Message = "PeerPod of sandbox {SandboxId} (pod {Namespace}/{PodName}, instance {InstanceId}, deleted) not released: {Reason}; the controller releases it when the pod goes")]
    public static partial void PeerPodNotReleased(ILogger logger, string sandboxId, string @namespace, string podName, string instanceId, string reason);

    [LoggerMessage(EventId = 9032, Level = LogLevel.Warning, Message = "Could not advertise {Resource} on node {NodeName}: {Reason}; retrying every {RetryDelay}")]
    public static partial void CapacityNotAdvertised(ILogger logger, string resource, string nodeName, string reason, TimeSpan retryDelay);

    [LoggerMessage(EventId = 9033, Level = LogLevel.Warning, Message = "Could not withdraw {Resource} from node {NodeName}: {Reason}")]
    public static partial void CapacityNotWithdrawn(ILogger logger, string resource, string nodeName, string reason);

    [LoggerMessage(EventId = 9034, Level = LogLevel.Error, Message = "Kubernetes {Loop} stopped unexpectedly")]
    public static partial void LoopCrashed(ILogger logger, Exception exception, string loop);

    [LoggerMessage(EventId = 9035, Level = LogLevel.Information, Message = "Kubernetes integration on: API server {Server}, node {NodeName}, cluster {ClusterName}, controller and sweep scope {Scope}, sweep every {SweepInterval}")]
    public static partial void IntegrationStarted(ILogger logger, string server, string nodeName, string clusterName, Hosting.KubernetesControllerScope scope, TimeSpan sweepInterval);
}
