namespace PodVm.Attester.Tpm;

/// <summary>A quote: the TPMS_ATTEST bytes the TPM signed and the marshalled TPMT_SIGNATURE over them.</summary>
internal sealed record TpmQuote(byte[] Attest, byte[] Signature);
