namespace PodVm.Attester.Tpm;

/// <summary>A loaded attestation key: its transient handle, TPM name, TPMT_PUBLIC and DER SubjectPublicKeyInfo.</summary>
internal sealed record TpmAttestationKey(uint Handle, byte[] Name, byte[] Public, byte[] SubjectPublicKeyInfo);
