namespace PodVm.Attestation.Policy;

/// <summary>The built-in policies (docs/attestation/policy.md shows them): what a fresh KBS enforces.</summary>
public static class DefaultPolicies
{
    /// <summary>
    /// Default attestation policy: hardware TEEs only (no sample, no local-dev), debug denied, and every TEE's
    /// measurements and TCB compared with reference values (Trustee's RV names); no reference value → contraindicated.
    /// </summary>
    public const string AttestationPolicyJson = """
        {
          "version": "0.1.0",
          "id": "default",
          "allowed_tees": ["snp", "tdx", "tpm", "az-snp-vtpm", "az-tdx-vtpm"],
          "deny_debug": true,
          "require_reference_values": true,
          "rules": {
            "snp": [
              { "claim": ["/measurement", "/launch_measurement"], "reference": "snp_launch_measurement", "component": "executables", "affirm": 3 },
              { "claim": ["/reported_tcb/bootloader", "/reported_tcb_bootloader"], "reference": "snp_bootloader", "match": "min", "component": "hardware" },
              { "claim": ["/reported_tcb/tee", "/reported_tcb_tee"], "reference": "snp_tee_svn", "match": "min", "component": "hardware" },
              { "claim": ["/reported_tcb/snp", "/reported_tcb_snp"], "reference": "snp_snp_svn", "match": "min", "component": "hardware" },
              { "claim": ["/reported_tcb/microcode", "/reported_tcb_microcode"], "reference": "snp_microcode", "match": "min", "component": "hardware" }
            ],
            "tdx": [
              { "claim": ["/mr_td", "/quote/body/mr_td"], "reference": "mr_td", "component": "executables", "affirm": 3 },
              { "claim": ["/rtmr1", "/rtmr_1", "/quote/body/rtmr_1"], "reference": "rtmr_1", "component": "executables", "affirm": 3 },
              { "claim": ["/rtmr2", "/rtmr_2", "/quote/body/rtmr_2"], "reference": "rtmr_2", "component": "executables", "affirm": 3 },
              { "claim": ["/tcb_status"], "reference": "tdx_tcb_status", "component": "hardware" }
            ],
            "tpm": [
              { "claim": ["/pcrs/sha256/11", "/pcrs/sha256/pcr11", "/pcr11"], "reference": "tpm_pcr11", "component": "executables", "affirm": 3 },
              { "claim": ["/ak_public", "/ak_fingerprint"], "reference": "trusted_aks", "component": "instance-identity" }
            ],
            "az-snp-vtpm": [
              { "claim": ["/measurement", "/snp/measurement"], "reference": "measurement", "component": "executables", "affirm": 3 },
              { "claim": ["/tpm/pcr11", "/pcrs/sha256/11"], "reference": "snp_pcr11", "component": "executables", "affirm": 3 }
            ],
            "az-tdx-vtpm": [
              { "claim": ["/mr_td", "/tdx/mr_td"], "reference": "mr_td", "component": "executables", "affirm": 3 },
              { "claim": ["/tpm/pcr11", "/pcrs/sha256/11"], "reference": "tdx_pcr11", "component": "executables", "affirm": 3 }
            ]
          }
        }
        """;

    /// <summary>Default resource policy: deny the sample TEE; allow any path to an affirming result.</summary>
    public const string ResourcePolicyJson = """
        {
          "version": "0.1.0",
          "rules": [
            { "effect": "deny", "paths": ["*/*/*"], "tees": ["sample"] },
            { "effect": "allow", "paths": ["*/*/*"], "status": "affirming" }
          ]
        }
        """;
}
