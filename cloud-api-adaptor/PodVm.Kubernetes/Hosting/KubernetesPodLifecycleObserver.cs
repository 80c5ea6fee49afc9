using Microsoft.Extensions.Logging;
using PodVm.CloudApiAdaptor;
using PodVm.CloudApiAdaptor.Lifecycle;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.Kubernetes.Events;
using PodVm.Kubernetes.PeerPods;

namespace PodVm.Kubernetes.Hosting;

/// <summary>
/// The adaptor's lifecycle as Kubernetes sees it: a PeerPod recorded when an instance exists (and the answer
/// "the pod is gone" when it does not), released when the instance is deleted, and a Warning Event on the pod when
/// CreateVM or StartVM fails. Every call is bounded by <see cref="KubernetesOptions.CallTimeout"/>; an API server
/// that fails or hangs is logged and never fails the pod (the orphan sweep and the adaptor's reconciler cover an
/// instance whose PeerPod could not be written).
/// </summary>
internal sealed class KubernetesPodLifecycleObserver(
    PeerPodRecorder recorder,
    EventPoster events,
    ICloudProvider provider,
    KubernetesIdentity identity,
    ILogger<KubernetesPodLifecycleObserver> logger,
    TimeProvider time) : IPodLifecycleObserver
{
    public async Task<PodPresence> OnInstanceCreatedAsync(PodRecord pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.InstanceId is not { } instanceId)
        {
            return PodPresence.Present;
        }

        using var timeout = new CancellationTokenSource(identity.CallTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await recorder.RecordAsync(Record(pod, instanceId), linked.Token).ConfigureAwait(false);
            return PodPresence.Present;
        }
        catch (KubernetesIntegrationException ex) when (ex.Reason == KubernetesErrorReason.PodNotFound)
        {
            return PodPresence.Gone;
        }
        catch (KubernetesIntegrationException ex)
        {
            KubernetesLog.PeerPodNotRecorded(logger, pod.SandboxId, pod.PodNamespace, pod.PodName, instanceId, ex.Message);
            return PodPresence.Present;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            KubernetesLog.PeerPodNotRecorded(logger, pod.SandboxId, pod.PodNamespace, pod.PodName, instanceId, $"no answer within {identity.CallTimeout}");
            return PodPresence.Present;
        }
    }

    public async Task OnInstanceDeletedAsync(PodRecord pod, string instanceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        using var timeout = new CancellationTokenSource(identity.CallTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await recorder.ReleaseAsync(Record(pod, instanceId), linked.Token).ConfigureAwait(false);
        }
        catch (KubernetesIntegrationException ex)
        {
            KubernetesLog.PeerPodNotReleased(logger, pod.SandboxId, pod.PodNamespace, pod.PodName, instanceId, ex.Message);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            KubernetesLog.PeerPodNotReleased(logger, pod.SandboxId, pod.PodNamespace, pod.PodName, instanceId, $"no answer within {identity.CallTimeout}");
        }
    }

    public async Task OnPodVmFailedAsync(string podNamespace, string podName, string sandboxId, AdaptorException error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        using var timeout = new CancellationTokenSource(identity.CallTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await events.PostPodVmFailureAsync(podNamespace, podName, Classify(error), error.Message, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            KubernetesLog.EventPostFailed(logger, PodVmFailures.EventReason(Classify(error)), "Pod", podNamespace, podName, $"no answer within {identity.CallTimeout}");
        }
    }

    /// <summary>The kind of failure: the provider's reason when a provider error caused it, else what the adaptor saw.</summary>
    internal static PodVmFailure Classify(AdaptorException error)
    {
        for (Exception? inner = error; inner is not null; inner = inner.InnerException)
        {
            if (inner is ProviderException provider)
            {
                return PodVmFailures.From(provider.Reason);
            }
        }

        return error.Reason switch
        {
            AdaptorErrorReason.Timeout => PodVmFailure.Timeout,
            AdaptorErrorReason.AgentUnreachable => PodVmFailure.InstanceFailed,
            _ => PodVmFailure.Other,
        };
    }

    private PeerPodRecord Record(PodRecord pod, string instanceId) => new()
    {
        PodNamespace = pod.PodNamespace,
        PodName = pod.PodName,
        SandboxId = pod.SandboxId,
        CloudProvider = provider.Name,
        InstanceId = instanceId,
        NodeName = identity.NodeName,
    };
}
