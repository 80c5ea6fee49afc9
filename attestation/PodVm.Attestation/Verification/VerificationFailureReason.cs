namespace PodVm.Attestation.Verification;

/// <summary>The closed set of reasons evidence is rejected.</summary>
public enum VerificationFailureReason
{
    /// <summary>Truncated, oversized or undecodable evidence.</summary>
    MalformedEvidence = 0,
    UnsupportedVersion,
    /// <summary>The report's or quote's signature does not verify with the attesting key.</summary>
    SignatureInvalid,
    /// <summary>The attesting key's certificate chain does not lead to a trusted root.</summary>
    CertificateChainInvalid,
    /// <summary>A certificate or collateral is outside its validity at the verification time.</summary>
    CertificateExpired,
    CertificateRevoked,
    /// <summary>The report data does not carry the expected binding (nonce, runtime data).</summary>
    ReportDataMismatch,
    /// <summary>The initdata digest bound in the evidence differs from the one expected.</summary>
    InitDataMismatch,
    /// <summary>TCB values in the report differ from those the certificate or collateral vouch for.</summary>
    TcbMismatch,
    /// <summary>The chip or platform identity in the report differs from the certificate's.</summary>
    PlatformIdentityMismatch,
    /// <summary>Needed collateral (certificates, TCB info, CRLs) could not be obtained.</summary>
    CollateralUnavailable,
    /// <summary>This kind of evidence is disabled by configuration (e.g. sample, local development TEE).</summary>
    TeeDisabled,
    /// <summary>A PCR or measurement does not match the event log or the quoted digest.</summary>
    MeasurementMismatch,
    /// <summary>The attestation key is neither a configured trusted key nor certified by a configured root.</summary>
    AttestationKeyUntrusted,
    /// <summary>The evidence was produced for a TEE, product or configuration this verifier does not accept.</summary>
    UnsupportedPlatform,
    /// <summary>The evidence's own timestamp is too old or in the future at the verification time.</summary>
    StaleEvidence,
}
