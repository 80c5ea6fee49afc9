namespace PodVm.Attestation.Kbs;

/// <summary>The TEE key types Trustee guests send in tee-pubkey.</summary>
public enum TeeKeyKind
{
    /// <summary>EC P-256/P-384/P-521 with ECDH-ES+A256KW.</summary>
    EcdhEsA256Kw = 0,
    /// <summary>RSA with RSA-OAEP-256.</summary>
    RsaOaep256,
    /// <summary>RSA with PKCS#1 v1.5 (deprecated in Trustee; accepted for compatibility).</summary>
    Rsa15,
}
