using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>kbs-types Challenge (the /auth answer).</summary>
internal sealed record KbsChallenge
{
    [JsonPropertyName("nonce")]
    public string? Nonce { get; init; }
}
