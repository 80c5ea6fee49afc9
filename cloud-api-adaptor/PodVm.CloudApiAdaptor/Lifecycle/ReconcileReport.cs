using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.CloudApiAdaptor.Lifecycle;

/// <summary>What one reconciler pass saw and did.</summary>
public sealed record ReconcileReport(DateTimeOffset At, int InstancesSeen, int InstancesKept, IReadOnlyList<ProviderInstance> Deleted);
