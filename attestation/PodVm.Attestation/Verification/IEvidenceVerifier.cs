namespace PodVm.Attestation.Verification;

/// <summary>
/// Turns one TEE's evidence into claims, or into a specific rejection. A verifier checks authenticity (signatures,
/// certificate chains, collateral) and freshness binding (report data); it does not decide whether the claims are
/// acceptable: that is the attestation policy's job, against reference values.
/// </summary>
public interface IEvidenceVerifier
{
    TeeType Tee { get; }

    ValueTask<VerificationResult> VerifyAsync(EvidenceToVerify evidence, CancellationToken cancellationToken);
}
