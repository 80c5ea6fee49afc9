using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>The only token claim the client reads: its expiry (Unix seconds), to re-attest before it lapses.</summary>
internal sealed record EarTokenClaims
{
    [JsonPropertyName("exp")]
    public long? Exp { get; init; }
}
