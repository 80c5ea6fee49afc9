namespace PodVm.Kubernetes.PeerPods;

/// <summary>Settings of <see cref="PeerPodController"/>.</summary>
public sealed record PeerPodControllerOptions
{
    /// <summary>
    /// Handle only PeerPods labelled with this node (<see cref="PeerPodNames.NodeLabel"/>): needed when instances live
    /// on the node itself (local provider). Null handles every PeerPod in the cluster (cloud providers).
    /// </summary>
    public string? NodeName { get; init; }

    /// <summary>How long one watch request stays open before it is renewed from the last resourceVersion.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Wait before retrying a failed instance deletion or a failed list/watch.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);
}
