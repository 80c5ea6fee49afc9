using System.Text.Json.Serialization;

namespace PodVm.Attester.Evidence;

/// <summary>Trustee's TDX attester evidence: base64 quote and base64 CC event log (null when the guest has none).</summary>
internal sealed record TdxEvidence
{
    [JsonPropertyName("cc_eventlog")]
    public string? CcEventLog { get; init; }

    [JsonPropertyName("quote")]
    public required string Quote { get; init; }
}
