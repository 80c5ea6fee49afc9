using System.Text.Json.Nodes;

namespace PodVm.Attestation.ReferenceValues;

/// <summary>
/// One named reference value, RVPS-style: <c>{"name","expiration","value"}</c>. <see cref="Values"/> is the set of
/// acceptable values (hex strings for digests, numbers for SVNs, strings, booleans).
/// </summary>
public sealed record ReferenceValue
{
    public required string Name { get; init; }

    public required IReadOnlyList<JsonNode> Values { get; init; }

    /// <summary>After this instant the value is treated as absent.</summary>
    public required DateTimeOffset Expiration { get; init; }

    /// <summary>Where the value came from, e.g. "corim kid=1" or "podvm-bundle kid=image-build"; for audit only.</summary>
    public string Source { get; init; } = "";

    public bool IsExpiredAt(DateTimeOffset now) => now >= Expiration;

    /// <summary>The RVPS JSON form: <c>{"version":"0.1.0","name":…,"expiration":"…Z","value":[…]}</c>.</summary>
    public JsonObject ToJson()
    {
        var array = new JsonArray();
        foreach (var v in Values)
        {
            array.Add(v.DeepClone());
        }

        return new JsonObject
        {
            ["version"] = "0.1.0",
            ["name"] = Name,
            ["expiration"] = Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["value"] = array,
        };
    }
}
