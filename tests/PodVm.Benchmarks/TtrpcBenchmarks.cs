using BenchmarkDotNet.Attributes;
using PodVm.Protocols.Hypervisor;
using PodVm.Protocols.Ttrpc;

namespace PodVm.Benchmarks;

/// <summary>
/// BenchmarkDotNet view of our client (typed stubs over one TtrpcClient connection) against our server and against
/// the Go server. The Go client's figures come from the fixed-duration loops in <see cref="LoopComparison"/>.
/// </summary>
[MemoryDiagnoser]
public class TtrpcBenchmarks
{
    private BenchServer? _server;
    private TtrpcClient? _client;
    private Hypervisor.HypervisorClient? _hypervisor;
    private readonly VersionRequest _small = new() { Version = WorkloadSettings.SmallMessage };
    private readonly VersionRequest _large = new() { Version = WorkloadSettings.LargeMessage };

    [Params(Implementation.CSharp, Implementation.Go)]
    public Implementation Server { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await BenchServer.StartAsync(Server).ConfigureAwait(false);
        _client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Parse("unix://" + _server.SocketPath), options: null, CancellationToken.None).ConfigureAwait(false);
        _hypervisor = new Hypervisor.HypervisorClient(_client.CreateCallInvoker());
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }

        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One small call at a time: the round-trip latency.</summary>
    [Benchmark(Description = "unary round trip")]
    public Task<VersionResponse> Unary() => _hypervisor!.VersionAsync(_small).ResponseAsync;

    /// <summary>64 small calls in flight on the one connection; the time reported is per call.</summary>
    [Benchmark(Description = "64 in flight (per call)", OperationsPerInvoke = WorkloadSettings.ParallelCalls)]
    public Task Parallel()
    {
        var calls = new Task[WorkloadSettings.ParallelCalls];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = _hypervisor!.VersionAsync(_small).ResponseAsync;
        }

        return Task.WhenAll(calls);
    }

    /// <summary>A 1 MiB string to the server and back.</summary>
    [Benchmark(Description = "1 MiB echo")]
    public Task<VersionResponse> Payload() => _hypervisor!.VersionAsync(_large).ResponseAsync;
}
