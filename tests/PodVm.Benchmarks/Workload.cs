namespace PodVm.Benchmarks;

/// <summary>What one measurement does; every call is hypervisor.Hypervisor/Version, which both servers echo.</summary>
internal enum Workload
{
    /// <summary>One call at a time with a 5-byte string: the round-trip latency.</summary>
    Unary,

    /// <summary>64 calls in flight on one connection: multiplexing throughput.</summary>
    Parallel,

    /// <summary>A 1 MiB string each way, one call at a time: payload throughput.</summary>
    Payload,
}
