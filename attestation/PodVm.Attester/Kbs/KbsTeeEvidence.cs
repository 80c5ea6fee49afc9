using System.Text.Json;
using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>kbs-types CompositeEvidence: the TEE's evidence (JSON value) and no device evidence.</summary>
internal sealed record KbsTeeEvidence
{
    [JsonPropertyName("primary_evidence")]
    public required JsonElement PrimaryEvidence { get; init; }

    [JsonPropertyName("additional_evidence")]
    public string AdditionalEvidence { get; init; } = "";
}
