namespace PodVm.Cli.Bench;

/// <summary>What <see cref="GuestBenchmark"/> measured: milliseconds per run, MiB/s, and the in-guest pipe's seconds.</summary>
internal sealed record GuestBenchmarkResult(
    IReadOnlyList<double> CreateToFirstOutputMs,
    IReadOnlyList<double> ExecToFirstOutputMs,
    double StdoutMiBPerSecond,
    double InGuestPipeMiBPerSecond,
    double InGuestPipeSeconds);
