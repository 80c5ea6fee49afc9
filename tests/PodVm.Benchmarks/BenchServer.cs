using System.Diagnostics;
using PodVm.Protocols.Hypervisor;
using PodVm.Protocols.Ttrpc;

namespace PodVm.Benchmarks;

/// <summary>One benchmark server on a unix socket in a private temp directory: ours in-process, or the Go peer's bench-serve.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly TtrpcServer? _ours;
    private readonly Process? _go;
    private readonly string _directory;

    private BenchServer(string directory, string socketPath, TtrpcServer? ours, Process? go)
    {
        _directory = directory;
        SocketPath = socketPath;
        _ours = ours;
        _go = go;
    }

    public string SocketPath { get; }

    public static async Task<BenchServer> StartAsync(Implementation implementation)
    {
        var directory = Directory.CreateTempSubdirectory("podvm-bench-").FullName;
        var socketPath = Path.Combine(directory, "server.sock");
        if (implementation == Implementation.Go)
        {
            return new BenchServer(directory, socketPath, null, GoPeer.StartServer(GoPeer.Build(), socketPath));
        }

        var server = new TtrpcServer(new TtrpcServerOptions());
        if (implementation == Implementation.CSharpRaw)
        {
            server.Fallback = static (request, _) => ValueTask.FromResult(TtrpcRawResponse.Success(request.Payload));
        }
        else
        {
            Hypervisor.BindService(server.Services, new EchoHypervisorService());
        }

        await server.StartAsync(TtrpcEndpoint.Parse("unix://" + socketPath), CancellationToken.None).ConfigureAwait(false);
        return new BenchServer(directory, socketPath, server, null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ours is not null)
        {
            await _ours.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _ours.DisposeAsync().ConfigureAwait(false);
        }

        if (_go is not null)
        {
            GoPeer.StopServer(_go);
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The socket may still be held by an exiting peer; the temp cleaner removes it later.
        }
    }
}
