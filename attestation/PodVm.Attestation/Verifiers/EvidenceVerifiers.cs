using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.AzureVtpm;
using PodVm.Attestation.Verifiers.LocalDev;
using PodVm.Attestation.Verifiers.Sample;
using PodVm.Attestation.Verifiers.Snp;
using PodVm.Attestation.Verifiers.Tdx;
using PodVm.Attestation.Verifiers.Tpm;

namespace PodVm.Attestation.Verifiers;

/// <summary>Creates the evidence verifiers; the verifier types themselves stay internal behind <see cref="IEvidenceVerifier"/>.</summary>
public static class EvidenceVerifiers
{
    public static IEvidenceVerifier CreateSnp(SnpVerifierOptions options, TimeProvider time) => new SnpVerifier(options, time);

    /// <summary>The local development TEE; rejects everything with TeeDisabled unless a platform key is configured.</summary>
    public static IEvidenceVerifier CreateLocalDev(LocalDevTeeVerifierOptions options, TimeProvider time) => new LocalDevTeeVerifier(options, time);

    /// <summary>Trustee's generic <c>tpm</c> evidence (TPM 2.0 quote with an AK trusted by key or certificate chain).</summary>
    public static IEvidenceVerifier CreateTpm(TpmVerifierOptions options, TimeProvider time) => new TpmVerifier(options, time);

    /// <summary>Azure SEV-SNP confidential VMs with the paravisor vTPM (Trustee az-snp-vtpm evidence v0, v1, v2).</summary>
    public static IEvidenceVerifier CreateAzSnpVtpm(SnpVerifierOptions options, TimeProvider time) => new AzSnpVtpmVerifier(options, time);

    /// <summary>Intel TDX quotes v4/v5, with collateral (TCB info, QE identity, CRLs) when a source is configured.</summary>
    public static IEvidenceVerifier CreateTdx(TdxVerifierOptions options, TimeProvider time) => new TdxVerifier(options, time);

    /// <summary>Azure TDX confidential VMs with the paravisor vTPM (Trustee az-tdx-vtpm evidence v0, v1).</summary>
    public static IEvidenceVerifier CreateAzTdxVtpm(TdxVerifierOptions options, TimeProvider time) => new AzTdxVtpmVerifier(options, time);

    /// <summary>Trustee's sample TEE; rejects everything with TeeDisabled unless enabled.</summary>
    public static IEvidenceVerifier CreateSample(SampleVerifierOptions options) => new SampleVerifier(options);
}
