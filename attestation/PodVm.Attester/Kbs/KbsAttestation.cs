using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>kbs-types Attestation (POST /kbs/v0/attest).</summary>
internal sealed record KbsAttestation
{
    [JsonPropertyName("init-data")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public KbsInitData? InitData { get; init; }

    [JsonPropertyName("runtime-data")]
    public required KbsRuntimeData RuntimeData { get; init; }

    [JsonPropertyName("tee-evidence")]
    public required KbsTeeEvidence TeeEvidence { get; init; }
}
