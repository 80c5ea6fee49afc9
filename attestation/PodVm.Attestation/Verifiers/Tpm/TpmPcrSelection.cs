namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>One TPMS_PCR_SELECTION: a bank and the PCR indices selected in it (ascending).</summary>
internal sealed record TpmPcrSelection(ushort HashAlgorithm, IReadOnlyList<int> Pcrs);
