namespace PodVm.Attester.Kbs;

/// <summary>Why a secret could not be fetched; the CDH endpoint maps each to an HTTP status.</summary>
internal enum KbsClientErrorKind
{
    /// <summary>The KBS refused the evidence (attestation failed, untrusted platform, bad binding): 403.</summary>
    AttestationRefused = 0,
    /// <summary>The resource policy denied this resource to this VM: 403.</summary>
    PolicyDenied,
    /// <summary>The KBS has no such resource: 404.</summary>
    NotFound,
    /// <summary>The KBS could not be reached (connection refused, DNS, timeout): 502.</summary>
    Unreachable,
    /// <summary>The KBS's TLS certificate is not the one initdata trusts: 502.</summary>
    CertificateRejected,
    /// <summary>The KBS answered something this client does not understand, or the JWE did not decrypt: 502.</summary>
    Protocol,
    /// <summary>This VM could not produce evidence: 500.</summary>
    Evidence,
}
