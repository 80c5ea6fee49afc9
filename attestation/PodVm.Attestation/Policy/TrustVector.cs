using System.Text.Json.Nodes;

namespace PodVm.Attestation.Policy;

/// <summary>The eight AR4SI trustworthiness claims of an EAR submodule.</summary>
public sealed class TrustVector
{
    /// <summary>The AR4SI claim names, in EAR's order.</summary>
    public static readonly IReadOnlyList<string> Components =
    [
        "instance-identity", "configuration", "executables", "file-system",
        "hardware", "runtime-opaque", "storage-opaque", "sourced-data",
    ];

    private readonly Dictionary<string, int> _values = Components.ToDictionary(c => c, _ => TrustTiers.NoClaim, StringComparer.Ordinal);

    public static bool IsComponent(string name) => Components.Contains(name, StringComparer.Ordinal);

    public int this[string component] => _values[component];

    /// <summary>Lowers the component to <paramref name="value"/> if that is worse than what it holds.</summary>
    public void Apply(string component, int value) => _values[component] = TrustTiers.Worse(_values[component], value);

    /// <summary>The worst tier across the vector (ear.status).</summary>
    public EarStatus Status => _values.Values.Select(TrustTiers.Tier).DefaultIfEmpty(EarStatus.None).Max();

    public JsonObject ToJson()
    {
        var obj = new JsonObject();
        foreach (var c in Components)
        {
            obj[c] = _values[c];
        }

        return obj;
    }
}
