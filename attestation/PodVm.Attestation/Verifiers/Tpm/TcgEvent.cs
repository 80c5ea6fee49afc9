namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>One event of a TCG PC Client (crypto-agile) event log: PCR (or CC MR) index, type, digests per bank, data.</summary>
internal sealed record TcgEvent(uint Index, uint Type, IReadOnlyDictionary<ushort, byte[]> Digests, byte[] Data);
