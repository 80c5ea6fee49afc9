using PodVm.Protocols.Agent;
using PodVm.Protocols.Tests.Streaming;
using PodVm.Protocols.Ttrpc;

namespace PodVm.Protocols.Tests.Ttrpc;

/// <summary>A real ttrpc server on a unix socket in a temporary directory, with the test services bound.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly string _dir;

    private TestServer(string dir, TtrpcServer server, TestHypervisor hypervisor)
    {
        _dir = dir;
        Server = server;
        Hypervisor = hypervisor;
    }

    public TtrpcServer Server { get; }

    public TestHypervisor Hypervisor { get; }

    public string SocketPath => Path.Combine(_dir, "ttrpc.sock");

    public TtrpcEndpoint Endpoint => TtrpcEndpoint.Unix(SocketPath);

    public static async Task<TestServer> StartAsync(TtrpcServerOptions? options = null)
    {
        var dir = Directory.CreateTempSubdirectory("podvm-ttrpc-").FullName;
        var server = new TtrpcServer(options);
        var hypervisor = new TestHypervisor();
        PodVm.Protocols.Hypervisor.Hypervisor.BindService(server.Services, hypervisor);
        Streamer.BindService(server.Services, new TestStreamer());
        Health.BindService(server.Services, new TestHealth());
        var test = new TestServer(dir, server, hypervisor);
        await server.StartAsync(test.Endpoint, CancellationToken.None);
        return test;
    }

    public Task<TtrpcClient> ConnectAsync(TtrpcClientOptions? options = null) => TtrpcClient.ConnectAsync(Endpoint, options, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class TestHealth : Health.HealthBase
    {
        public override Task<HealthCheckResponse> Check(CheckRequest request, Grpc.Core.ServerCallContext context) =>
            Task.FromResult(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving });
    }
}
