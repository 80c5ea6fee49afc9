using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>kbs-types RuntimeData: the challenge nonce and the ephemeral public key.</summary>
internal sealed record KbsRuntimeData
{
    [JsonPropertyName("nonce")]
    public required string Nonce { get; init; }

    [JsonPropertyName("tee-pubkey")]
    public required TeeJwk TeePubKey { get; init; }
}
