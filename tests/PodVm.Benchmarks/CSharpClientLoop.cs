using System.Diagnostics;
using Google.Protobuf;
using PodVm.Protocols.Hypervisor;
using PodVm.Protocols.Ttrpc;

namespace PodVm.Benchmarks;

/// <summary>
/// Our client's side of the fixed-duration loop, the same method as the Go peer's bench-call: N workers on one
/// connection call Version back to back until the time is up, after an unmeasured warm-up.
/// </summary>
internal static class CSharpClientLoop
{
    public static async Task<Measurement> RunRawAsync(string socketPath, Workload workload, TimeSpan warmup, TimeSpan duration)
    {
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Parse("unix://" + socketPath), options: null, CancellationToken.None).ConfigureAwait(false);
        var payload = new VersionRequest { Version = WorkloadSettings.Message(workload) }.ToByteArray();
        var concurrency = WorkloadSettings.Concurrency(workload);

        await RunRawForAsync(client, payload, concurrency, warmup).ConfigureAwait(false);
        return await RunRawForAsync(client, payload, concurrency, duration).ConfigureAwait(false);
    }

    public static async Task<Measurement> RunAsync(string socketPath, Workload workload, TimeSpan warmup, TimeSpan duration)
    {
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Parse("unix://" + socketPath), options: null, CancellationToken.None).ConfigureAwait(false);
        var hypervisor = new Hypervisor.HypervisorClient(client.CreateCallInvoker());
        var request = new VersionRequest { Version = WorkloadSettings.Message(workload) };
        var concurrency = WorkloadSettings.Concurrency(workload);

        await RunForAsync(hypervisor, request, concurrency, warmup).ConfigureAwait(false);
        return await RunForAsync(hypervisor, request, concurrency, duration).ConfigureAwait(false);
    }

    private static async Task<Measurement> RunForAsync(Hypervisor.HypervisorClient hypervisor, VersionRequest request, int concurrency, TimeSpan duration)
    {
        var stopwatch = Stopwatch.StartNew();
        var workers = new Task<long>[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                long ops = 0;
                while (stopwatch.Elapsed < duration)
                {
                    var response = await hypervisor.VersionAsync(request).ResponseAsync.ConfigureAwait(false);
                    if (response.Version.Length != request.Version.Length)
                    {
                        throw new InvalidOperationException("the echo came back with a different length");
                    }

                    ops++;
                }

                return ops;
            });
        }

        var counts = await Task.WhenAll(workers).ConfigureAwait(false);
        return new Measurement(counts.Sum(), stopwatch.Elapsed);
    }

    private static async Task<Measurement> RunRawForAsync(TtrpcClient client, byte[] payload, int concurrency, TimeSpan duration)
    {
        var stopwatch = Stopwatch.StartNew();
        var workers = new Task<long>[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                long ops = 0;
                while (stopwatch.Elapsed < duration)
                {
                    var response = await client.CallRawAsync("hypervisor.Hypervisor", "Version", payload, null, CancellationToken.None).ConfigureAwait(false);
                    if (!response.IsSuccess || response.Payload.Length != payload.Length)
                    {
                        throw new InvalidOperationException($"raw echo failed: {response.Code} {response.Payload.Length} bytes");
                    }

                    ops++;
                }

                return ops;
            });
        }

        var counts = await Task.WhenAll(workers).ConfigureAwait(false);
        return new Measurement(counts.Sum(), stopwatch.Elapsed);
    }
}
