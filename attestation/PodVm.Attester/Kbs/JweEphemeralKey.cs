using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>The KBS's ephemeral ECDH public key in an ECDH-ES header.</summary>
internal sealed record JweEphemeralKey
{
    [JsonPropertyName("kty")]
    public string? Kty { get; init; }

    [JsonPropertyName("crv")]
    public string? Crv { get; init; }

    [JsonPropertyName("x")]
    public string? X { get; init; }

    [JsonPropertyName("y")]
    public string? Y { get; init; }
}
