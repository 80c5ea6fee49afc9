using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>The /attest answer: the EAR token.</summary>
internal sealed record KbsTokenResponse
{
    [JsonPropertyName("token")]
    public string? Token { get; init; }
}
