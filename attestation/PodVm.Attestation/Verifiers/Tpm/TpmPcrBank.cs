namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>PCR values of one bank, by index (only those known).</summary>
internal sealed record TpmPcrBank(ushort HashAlgorithm, IReadOnlyDictionary<int, byte[]> Values);
