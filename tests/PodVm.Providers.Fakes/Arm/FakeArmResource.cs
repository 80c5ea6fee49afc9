using System.Text.Json.Nodes;

namespace PodVm.Providers.Fakes.Arm;

/// <summary>One resource (VM, NIC, disk) as the fake ARM keeps it. Mutated only under the server's lock.</summary>
public sealed class FakeArmResource
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required JsonObject Body { get; set; }
    public string ProvisioningState { get; set; } = "Creating";
    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>For a NIC: the VM it is attached to.</summary>
    public string? AttachedTo { get; set; }

    /// <summary>For a VM: the NICs and disk that go with it when it is deleted.</summary>
    public List<string> DeleteWithVm { get; } = [];

    public IReadOnlyDictionary<string, string> Tags =>
        Body["tags"] is JsonObject tags
            ? tags.ToDictionary(t => t.Key, t => t.Value?.GetValue<string>() ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>();
}
