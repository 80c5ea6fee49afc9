using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.CloudApiAdaptor.Configuration;

/// <summary>The chosen type and, in order, the other allowed types that also fit (for capacity fallback).</summary>
public sealed record InstanceTypeSelection(InstanceType Chosen, IReadOnlyList<InstanceType> Fallbacks);
