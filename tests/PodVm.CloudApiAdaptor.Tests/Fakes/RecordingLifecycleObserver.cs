using System.Collections.Concurrent;
using PodVm.CloudApiAdaptor.Lifecycle;

namespace PodVm.CloudApiAdaptor.Tests.Fakes;

/// <summary>Records what the PodManager tells its lifecycle observer; <see cref="PodGone"/> makes it answer "the pod is gone".</summary>
internal sealed class RecordingLifecycleObserver : IPodLifecycleObserver
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public bool PodGone { get; set; }

    public Task<PodPresence> OnInstanceCreatedAsync(PodRecord pod, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"created {pod.SandboxId} {pod.InstanceId}");
        return Task.FromResult(PodGone ? PodPresence.Gone : PodPresence.Present);
    }

    public Task OnInstanceDeletedAsync(PodRecord pod, string instanceId, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"deleted {pod.SandboxId} {instanceId}");
        return Task.CompletedTask;
    }

    public Task OnPodVmFailedAsync(string podNamespace, string podName, string sandboxId, AdaptorException error, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"failed {sandboxId}");
        return Task.CompletedTask;
    }
}
