using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Kubernetes.Sweep;

/// <summary>What one sweep found and did.</summary>
public sealed record SweepResult
{
    public required int InstancesSeen { get; init; }
    public required int Claimed { get; init; }

    /// <summary>Unclaimed, but still within the grace period.</summary>
    public required IReadOnlyList<ProviderInstance> Waiting { get; init; }

    public required IReadOnlyList<ProviderInstance> Deleted { get; init; }

    /// <summary>Providers whose listing or deletion failed (their instances are retried next sweep).</summary>
    public required IReadOnlyList<string> FailedProviders { get; init; }
}
