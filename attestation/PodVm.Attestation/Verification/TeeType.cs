namespace PodVm.Attestation.Verification;

/// <summary>The TEEs PodVm verifies (Trustee names: sample, snp, tdx, tpm, az-snp-vtpm, az-tdx-vtpm; ours: local-dev).</summary>
public enum TeeType
{
    /// <summary>Trustee's "sample" evidence: no hardware; accepted only when explicitly enabled.</summary>
    Sample = 0,
    Snp,
    Tdx,
    Tpm,
    AzSnpVtpm,
    AzTdxVtpm,
    /// <summary>PodVm's local development TEE: COSE_Sign1 reports from the local provider. No protection from the host.</summary>
    LocalDev,
}
