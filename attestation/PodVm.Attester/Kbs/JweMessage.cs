using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>A flattened JWE JSON serialization (RFC 7516 §7.2.2), members base64url.</summary>
internal sealed record JweMessage
{
    [JsonPropertyName("protected")]
    public string? Protected { get; init; }

    [JsonPropertyName("encrypted_key")]
    public string? EncryptedKey { get; init; }

    [JsonPropertyName("iv")]
    public string? Iv { get; init; }

    [JsonPropertyName("ciphertext")]
    public string? Ciphertext { get; init; }

    [JsonPropertyName("tag")]
    public string? Tag { get; init; }

    [JsonPropertyName("aad")]
    public string? Aad { get; init; }
}
