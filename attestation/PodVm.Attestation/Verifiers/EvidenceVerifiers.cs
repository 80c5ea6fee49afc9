using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.LocalDev;
using PodVm.Attestation.Verifiers.Snp;

namespace PodVm.Attestation.Verifiers;

/// <summary>Creates the evidence verifiers; the verifier types themselves stay internal behind <see cref="IEvidenceVerifier"/>.</summary>
public static class EvidenceVerifiers
{
    public static IEvidenceVerifier CreateSnp(SnpVerifierOptions options, TimeProvider time) => new SnpVerifier(options, time);

    /// <summary>The local development TEE; rejects everything with TeeDisabled unless a platform key is configured.</summary>
    public static IEvidenceVerifier CreateLocalDev(LocalDevTeeVerifierOptions options, TimeProvider time) => new LocalDevTeeVerifier(options, time);
}
