namespace PodVm.Attester.Kbs;

/// <summary>An attested RCAR session: the ephemeral key, the EAR token, the session cookie and when to re-attest.</summary>
internal sealed record KbsSession(TeeKeyPair Key, string Token, string? Cookie, DateTimeOffset ExpiresAt);
