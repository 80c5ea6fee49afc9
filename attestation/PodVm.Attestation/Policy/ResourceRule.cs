using System.Text.Json.Nodes;

namespace PodVm.Attestation.Policy;

/// <summary>One resource policy rule: it applies when every condition it states holds.</summary>
public sealed record ResourceRule
{
    public required bool Allow { get; init; }

    /// <summary>Path patterns "repo/type/tag"; a segment is literal, "*", or a prefix ending in "*".</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>TEE names (the EAR's annotated-evidence key), or null for any.</summary>
    public IReadOnlyList<string>? Tees { get; init; }

    /// <summary>The worst acceptable ear.status across submods, or null for any.</summary>
    public EarStatus? Status { get; init; }

    /// <summary>JSON pointers into the EAR claims with the allowed value(s).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<JsonNode>> Claims { get; init; } = new Dictionary<string, IReadOnlyList<JsonNode>>(StringComparer.Ordinal);
}
