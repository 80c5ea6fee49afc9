using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>kbs-types Request (POST /kbs/v0/auth).</summary>
internal sealed record KbsRequest
{
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    [JsonPropertyName("tee")]
    public required string Tee { get; init; }

    [JsonPropertyName("extra-params")]
    public string ExtraParams { get; init; } = "";
}
