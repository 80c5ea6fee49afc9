namespace PodVm.Attestation.Kbs;

/// <summary>
/// What the kbs-session-id cookie carries, sealed (AES-256-GCM) by <see cref="SessionSealer"/> so any replica with
/// the same session key can continue the handshake: Authed = {id, tee, nonce, expiry}; Attested adds the token.
/// </summary>
public sealed record SessionState
{
    public required string Id { get; init; }

    public required string Tee { get; init; }

    public required string Nonce { get; init; }

    public required long ExpiresAtUnixSeconds { get; init; }

    /// <summary>The EAR token once attested; null while only authed.</summary>
    public string? Token { get; init; }
}
