namespace PodVm.Kbs.Benchmarks;

/// <summary>
/// One alternated floor/handshake measurement: wall medians and mean process CPU per operation, in ms, and the JIT
/// compilation time that fell inside it (background tiering counts as process CPU).
/// </summary>
internal sealed record Paired(double FloorMs, double HandshakeMs, double FloorCpuMs, double HandshakeCpuMs, int Pairs, double JitMs);
