using System.Globalization;
using System.Text;

namespace PodVm.Benchmarks;

/// <summary>
/// All four client/server pairings measured the same way (fixed-duration loops on one connection, the method of the
/// Go peer's bench-call), repeated for several rounds; the median round is reported.
/// </summary>
internal static class LoopComparison
{
    private static readonly (Implementation Client, Implementation Server)[] Pairs =
    [
        (Implementation.CSharp, Implementation.CSharp),
        (Implementation.CSharp, Implementation.Go),
        (Implementation.Go, Implementation.CSharp),
        (Implementation.Go, Implementation.Go),
    ];

    public static async Task<string> RunAsync(TimeSpan warmup, TimeSpan duration, int rounds)
    {
        var peer = GoPeer.Build();
        var results = new Dictionary<(Workload, Implementation, Implementation), List<Measurement>>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var server in new[] { Implementation.CSharp, Implementation.Go })
            {
                await using var running = await BenchServer.StartAsync(server).ConfigureAwait(false);
                foreach (var workload in Enum.GetValues<Workload>())
                {
                    foreach (var client in new[] { Implementation.CSharp, Implementation.Go })
                    {
                        var measurement = client == Implementation.Go
                            ? GoPeer.RunClient(peer, running.SocketPath, workload, warmup, duration)
                            : await CSharpClientLoop.RunAsync(running.SocketPath, workload, warmup, duration).ConfigureAwait(false);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"round {round + 1}/{rounds} {workload,-8} {Name(client)} client -> {Name(server)} server: {measurement.OperationsPerSecond,10:F0} calls/s {measurement.MicrosecondsPerOperation,9:F1} us/call"));
                        var key = (workload, client, server);
                        if (!results.TryGetValue(key, out var list))
                        {
                            results[key] = list = [];
                        }

                        list.Add(measurement);
                    }
                }
            }
        }

        return Format(results, warmup, duration, rounds);
    }

    private static string Format(Dictionary<(Workload, Implementation, Implementation), List<Measurement>> results, TimeSpan warmup, TimeSpan duration, int rounds)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"Fixed-duration loops: {warmup.TotalSeconds:F1} s warm-up, {duration.TotalSeconds:F1} s measured, median of {rounds} round(s); one connection per run.");
        text.AppendLine();
        text.AppendLine("| workload | C# client → C# server | C# client → Go server | Go client → C# server | Go client → Go server | C#→C# vs Go→Go |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var workload in Enum.GetValues<Workload>())
        {
            text.Append(inv, $"| {Describe(workload)} |");
            foreach (var (client, server) in Pairs)
            {
                var m = Median(results[(workload, client, server)]);
                text.Append(workload == Workload.Payload
                    ? string.Create(inv, $" {m.MebibytesPerSecond(workload):F0} MiB/s ({m.MicrosecondsPerOperation / 1000:F2} ms/call) |")
                    : string.Create(inv, $" {m.OperationsPerSecond:F0} calls/s ({m.MicrosecondsPerOperation:F1} µs/call) |"));
            }

            var ours = Median(results[(workload, Implementation.CSharp, Implementation.CSharp)]).OperationsPerSecond;
            var go = Median(results[(workload, Implementation.Go, Implementation.Go)]).OperationsPerSecond;
            text.AppendLine(inv, $" {ours / go:F2}× |");
        }

        text.AppendLine();
        text.AppendLine("Same server, different client (C# client vs Go client) and same client, different server (C# server vs Go server):");
        text.AppendLine();
        text.AppendLine("| workload | C# client / Go client (Go server) | C# client / Go client (C# server) | C# server / Go server (Go client) | C# server / Go server (C# client) |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var workload in Enum.GetValues<Workload>())
        {
            double Rate(Implementation c, Implementation s) => Median(results[(workload, c, s)]).OperationsPerSecond;
            text.AppendLine(inv,
                $"| {Describe(workload)} | {Rate(Implementation.CSharp, Implementation.Go) / Rate(Implementation.Go, Implementation.Go):F2}× | {Rate(Implementation.CSharp, Implementation.CSharp) / Rate(Implementation.Go, Implementation.CSharp):F2}× | {Rate(Implementation.Go, Implementation.CSharp) / Rate(Implementation.Go, Implementation.Go):F2}× | {Rate(Implementation.CSharp, Implementation.CSharp) / Rate(Implementation.CSharp, Implementation.Go):F2}× |");
        }

        return text.ToString();
    }

    private static Measurement Median(List<Measurement> measurements) =>
        measurements.OrderBy(m => m.OperationsPerSecond).ElementAt(measurements.Count / 2);

    private static string Name(Implementation implementation) => implementation == Implementation.CSharp ? "C#" : "Go";

    private static string Describe(Workload workload) => workload switch
    {
        Workload.Unary => "unary round trip (1 in flight)",
        Workload.Parallel => $"unary, {WorkloadSettings.ParallelCalls} in flight",
        _ => "1 MiB echo (1 in flight)",
    };
}
