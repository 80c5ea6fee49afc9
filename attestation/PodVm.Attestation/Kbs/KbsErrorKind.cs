namespace PodVm.Attestation.Kbs;

/// <summary>Trustee's KBS error variants (kbs/src/error.rs) that PodVm produces; the name is the URL suffix.</summary>
public enum KbsErrorKind
{
    /// <summary>Attestation error: RCAR handshake Auth failed (bad Request, version mismatch).</summary>
    RcarAuthFailed = 0,
    /// <summary>Attestation error: RCAR handshake Attest failed (no/expired session, nonce mismatch, evidence rejected).</summary>
    RcarAttestFailed,
    AdminAuth,
    InvalidRequestPath,
    JweError,
    PluginNotFound,
    PolicyDeny,
    ParsePolicyError,
    RvpsError,
    SerdeError,
    TokenNotFound,
    TokenVerifierError,
    /// <summary>Resource not found in the storage backend (Trustee reports it as a plugin internal error).</summary>
    PluginInternalError,
}
