using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>kbs-types InitData: the initdata TOML the TEE bound (HOST_DATA / MRCONFIGID / PCR8).</summary>
internal sealed record KbsInitData
{
    [JsonPropertyName("format")]
    public string Format { get; init; } = "toml";

    [JsonPropertyName("body")]
    public required string Body { get; init; }
}
