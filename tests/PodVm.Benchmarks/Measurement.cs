namespace PodVm.Benchmarks;

/// <summary>Completed calls in a measured interval.</summary>
internal sealed record Measurement(long Operations, TimeSpan Elapsed)
{
    public double OperationsPerSecond => Operations / Elapsed.TotalSeconds;

    public double MicrosecondsPerOperation => Elapsed.TotalMilliseconds * 1000 / Operations;

    /// <summary>Payload MiB per second in one direction (each call carries it both ways).</summary>
    public double MebibytesPerSecond(Workload workload) =>
        workload == Workload.Payload ? OperationsPerSecond * WorkloadSettings.PayloadBytes / (1 << 20) : 0;
}
