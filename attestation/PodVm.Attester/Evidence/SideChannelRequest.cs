using System.Text.Json.Serialization;

namespace PodVm.Attester.Evidence;

/// <summary>Guest → host on the local development TEE's side channel: one JSON line.</summary>
internal sealed record SideChannelRequest
{
    public const string TeeReportType = "tee-report";

    [JsonPropertyName("type")]
    public string Type { get; init; } = TeeReportType;

    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>base64 of exactly 64 bytes.</summary>
    [JsonPropertyName("report_data")]
    public required string ReportData { get; init; }

    /// <summary>Optional base64 DER SubjectPublicKeyInfo of the vTPM attestation key to bind into the report.</summary>
    [JsonPropertyName("tpm_ak_spki")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TpmAkSpki { get; init; }
}
