using System.Globalization;
using System.Text;

namespace PodVm.Benchmarks;

/// <summary>
/// All four client/server pairings measured the same way (fixed-duration loops on one connection, the method of the
/// Go peer's bench-call), repeated for several rounds; the median round is reported. Run twice: with our typed
/// stubs (what callers use), and with our raw API (framing and I/O only, no protobuf string work).
/// </summary>
internal static class LoopComparison
{
    public static async Task<string> RunAsync(TimeSpan warmup, TimeSpan duration, int rounds, IReadOnlyCollection<Workload> workloads)
    {
        var peer = GoPeer.Build();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Fixed-duration loops: {warmup.TotalSeconds:F1} s warm-up, {duration.TotalSeconds:F1} s measured, median of {rounds} round(s); one connection per run.");
        foreach (var ours in new[] { Implementation.CSharp, Implementation.CSharpRaw })
        {
            var results = new Dictionary<(Workload, Implementation, Implementation), List<Measurement>>();
            for (var round = 0; round < rounds; round++)
            {
                foreach (var server in new[] { ours, Implementation.Go })
                {
                    await using var running = await BenchServer.StartAsync(server).ConfigureAwait(false);
                    foreach (var workload in workloads)
                    {
                        foreach (var client in new[] { ours, Implementation.Go })
                        {
                            var measurement = client switch
                            {
                                Implementation.Go => GoPeer.RunClient(peer, running.SocketPath, workload, warmup, duration),
                                Implementation.CSharpRaw => await CSharpClientLoop.RunRawAsync(running.SocketPath, workload, warmup, duration).ConfigureAwait(false),
                                _ => await CSharpClientLoop.RunAsync(running.SocketPath, workload, warmup, duration).ConfigureAwait(false),
                            };
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"round {round + 1}/{rounds} {workload,-8} {client,-9} client -> {server,-9} server: {measurement.OperationsPerSecond,10:F0} calls/s {measurement.MicrosecondsPerOperation,9:F1} us/call"));
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

            text.AppendLine();
            text.Append(Format(results, ours, workloads));
        }

        return text.ToString();
    }

    private static string Format(Dictionary<(Workload, Implementation, Implementation), List<Measurement>> results, Implementation ours, IReadOnlyCollection<Workload> workloads)
    {
        var inv = CultureInfo.InvariantCulture;
        var go = Implementation.Go;
        var name = ours == Implementation.CSharp ? "C#" : "C# raw";
        var text = new StringBuilder();
        text.AppendLine(ours == Implementation.CSharp
            ? "Typed stubs (Hypervisor.HypervisorClient over TtrpcClient.CreateCallInvoker(); Hypervisor.BindService on TtrpcServer):"
            : "Raw API (TtrpcClient.CallRawAsync with a pre-encoded request, reply not decoded; TtrpcServer.Fallback echoing the payload bytes):");
        text.AppendLine();
        text.AppendLine(inv, $"| workload | {name} client → {name} server | {name} client → Go server | Go client → {name} server | Go client → Go server | {name}→{name} vs Go→Go |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var workload in workloads)
        {
            text.Append(inv, $"| {Describe(workload)} |");
            foreach (var (client, server) in new[] { (ours, ours), (ours, go), (go, ours), (go, go) })
            {
                var m = Median(results[(workload, client, server)]);
                text.Append(workload == Workload.Payload
                    ? string.Create(inv, $" {m.MebibytesPerSecond(workload):F0} MiB/s ({m.MicrosecondsPerOperation / 1000:F2} ms/call) |")
                    : string.Create(inv, $" {m.OperationsPerSecond:F0} calls/s ({m.MicrosecondsPerOperation:F1} µs/call) |"));
            }

            text.AppendLine(inv, $" {Rate(workload, ours, ours) / Rate(workload, go, go):F2}× |");
        }

        text.AppendLine();
        text.AppendLine(inv, $"| workload | {name} client / Go client (against Go server) | {name} client / Go client (against {name} server) | {name} server / Go server (Go client) | {name} server / Go server ({name} client) |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var workload in workloads)
        {
            text.AppendLine(inv,
                $"| {Describe(workload)} | {Rate(workload, ours, go) / Rate(workload, go, go):F2}× | {Rate(workload, ours, ours) / Rate(workload, go, ours):F2}× | {Rate(workload, go, ours) / Rate(workload, go, go):F2}× | {Rate(workload, ours, ours) / Rate(workload, ours, go):F2}× |");
        }

        return text.ToString();

        double Rate(Workload workload, Implementation client, Implementation server) => Median(results[(workload, client, server)]).OperationsPerSecond;
    }

    private static Measurement Median(List<Measurement> measurements) =>
        measurements.OrderBy(m => m.OperationsPerSecond).ElementAt(measurements.Count / 2);

    private static string Describe(Workload workload) => workload switch
    {
        Workload.Unary => "unary round trip (1 in flight)",
        Workload.Parallel => $"unary, {WorkloadSettings.ParallelCalls} in flight",
        _ => "1 MiB echo (1 in flight)",
    };
}
