namespace PodVm.Kubernetes.Sweep;

/// <summary>Settings of <see cref="OrphanSweeper"/>.</summary>
public sealed record OrphanSweepOptions
{
    /// <summary>The value of the <c>podvm.io/cluster</c> tag on this cluster's instances (required).</summary>
    public required string ClusterName { get; init; }

    /// <summary>Sweep only this node's instances (<c>podvm.io/node</c> tag; local provider). Null sweeps the cluster.</summary>
    public string? NodeName { get; init; }

    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an instance must stay unclaimed (and how old it must be) before it is deleted: covers the window
    /// between CreateInstance and the PeerPod being written, and API hiccups.
    /// </summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromMinutes(10);
}
