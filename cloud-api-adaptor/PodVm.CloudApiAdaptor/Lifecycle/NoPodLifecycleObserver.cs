namespace PodVm.CloudApiAdaptor.Lifecycle;

/// <summary>The default <see cref="IPodLifecycleObserver"/>: no integration, nothing to tell.</summary>
internal sealed class NoPodLifecycleObserver : IPodLifecycleObserver
{
    public Task<PodPresence> OnInstanceCreatedAsync(PodRecord pod, CancellationToken cancellationToken) => Task.FromResult(PodPresence.Present);

    public Task OnInstanceDeletedAsync(PodRecord pod, string instanceId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task OnPodVmFailedAsync(string podNamespace, string podName, string sandboxId, AdaptorException error, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
