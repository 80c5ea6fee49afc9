namespace PodVm.Kbs.Benchmarks;

/// <summary>
/// One TEE in the handshake benchmark: its Trustee name, the primary evidence (JSON text) for a runtime-data digest,
/// and the TEE's own signature work for the floor (returns whether it verified).
/// </summary>
internal sealed record TeeCase(string Name, string Tee, Func<byte[], string> Evidence, Func<bool> FloorSignatures);
