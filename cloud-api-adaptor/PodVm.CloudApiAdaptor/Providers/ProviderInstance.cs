namespace PodVm.CloudApiAdaptor.Providers;

/// <summary>What a provider knows about one VM.</summary>
public sealed record ProviderInstance
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required InstanceState State { get; init; }
    public required IReadOnlyList<InstanceAddress> Addresses { get; init; }
    public required IReadOnlyDictionary<string, string> Tags { get; init; }
    public string? InstanceTypeName { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
}
