namespace PodVm.Kubernetes.Hosting;

/// <summary>
/// The effective settings of the integration, once: <see cref="KubernetesOptions"/> with the node and cluster names
/// taken from the adaptor's section where the Kubernetes section leaves them out.
/// </summary>
internal sealed record KubernetesIdentity
{
    public required string NodeName { get; init; }

    public required string ClusterName { get; init; }

    /// <summary>Null handles the whole cluster; else only this node's PeerPods and instances.</summary>
    public string? ScopeNodeName { get; init; }

    public required int PodsPerNode { get; init; }

    public required TimeSpan CallTimeout { get; init; }

    public required TimeSpan RetryDelay { get; init; }

    public required TimeSpan SweepInterval { get; init; }
}
