using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Snp;

namespace PodVm.Attestation.Verifiers;

/// <summary>Creates the evidence verifiers; the verifier types themselves stay internal behind <see cref="IEvidenceVerifier"/>.</summary>
public static class EvidenceVerifiers
{
    public static IEvidenceVerifier CreateSnp(SnpVerifierOptions options, TimeProvider time) => new SnpVerifier(options, time);
}
