namespace PodVm.CloudApiAdaptor.Lifecycle;

/// <summary>
/// Told by <see cref="PodManager"/> about the pod VM lifecycle, for integrations that live outside the adaptor
/// (Kubernetes: PeerPod records and Events). The default registration does nothing. Implementations are called
/// while the pod's command runs: they must bound their own calls in time. An exception thrown by any method is
/// logged and otherwise ignored: an unreachable integration never breaks a pod.
/// </summary>
public interface IPodLifecycleObserver
{
    /// <summary>
    /// The provider created the instance of <paramref name="pod"/> (its <see cref="PodRecord.InstanceId"/> is set),
    /// before the agent is awaited. Returns <see cref="PodPresence.Gone"/> when the pod the VM is for no longer exists:
    /// the adaptor then deletes the instance and fails StartVM.
    /// </summary>
    Task<PodPresence> OnInstanceCreatedAsync(PodRecord pod, CancellationToken cancellationToken);

    /// <summary>The provider deleted <paramref name="instanceId"/>, the instance of <paramref name="pod"/> (StopVM, or an undone StartVM).</summary>
    Task OnInstanceDeletedAsync(PodRecord pod, string instanceId, CancellationToken cancellationToken);

    /// <summary>
    /// CreateVM or StartVM failed for pod <paramref name="podNamespace"/>/<paramref name="podName"/>;
    /// <paramref name="error"/> says why in words a user can act on, its inner exception (a provider error, say) says
    /// what kind of failure it was.
    /// </summary>
    Task OnPodVmFailedAsync(string podNamespace, string podName, string sandboxId, AdaptorException error, CancellationToken cancellationToken);
}
