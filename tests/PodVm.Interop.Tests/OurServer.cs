using PodVm.Protocols.Agent;
using PodVm.Protocols.Ttrpc;

namespace PodVm.Interop.Tests;

/// <summary>Our TtrpcServer on a unix socket, serving the interop services that mirror the Go peer's.</summary>
internal sealed class OurServer : IAsyncDisposable
{
    private OurServer(TtrpcServer server, InteropHypervisorService hypervisor, string socketPath)
    {
        Server = server;
        Hypervisor = hypervisor;
        SocketPath = socketPath;
    }

    public TtrpcServer Server { get; }

    public InteropHypervisorService Hypervisor { get; }

    public string SocketPath { get; }

    public static async Task<OurServer> StartAsync(string socketPath, CancellationToken cancellationToken)
    {
        var server = new TtrpcServer(new TtrpcServerOptions());
        var hypervisor = new InteropHypervisorService();
        PodVm.Protocols.Hypervisor.Hypervisor.BindService(server.Services, hypervisor);
        Health.BindService(server.Services, new InteropHealthService());
        await server.StartAsync(TtrpcEndpoint.Parse("unix://" + socketPath), cancellationToken).DefaultTimeout();
        return new OurServer(server, hypervisor, socketPath);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(CancellationToken.None).DefaultTimeout();
        await Server.DisposeAsync();
    }
}
