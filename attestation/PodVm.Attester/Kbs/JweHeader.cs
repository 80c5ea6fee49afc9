using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>The JWE protected header members the client needs.</summary>
internal sealed record JweHeader
{
    [JsonPropertyName("alg")]
    public string? Alg { get; init; }

    [JsonPropertyName("enc")]
    public string? Enc { get; init; }

    [JsonPropertyName("epk")]
    public JweEphemeralKey? Epk { get; init; }
}
