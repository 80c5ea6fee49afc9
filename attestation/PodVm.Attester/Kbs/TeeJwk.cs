using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>The ephemeral key as runtime-data "tee-pubkey" (EC: kty, crv, alg, x, y).</summary>
internal sealed record TeeJwk
{
    [JsonPropertyName("kty")]
    public required string Kty { get; init; }

    [JsonPropertyName("crv")]
    public required string Crv { get; init; }

    [JsonPropertyName("alg")]
    public required string Alg { get; init; }

    [JsonPropertyName("x")]
    public required string X { get; init; }

    [JsonPropertyName("y")]
    public required string Y { get; init; }
}
