using System.Net.Sockets;

namespace PodVm.Protocols.Tests.Ttrpc;

/// <summary>A byte-level server for client tests: accept one connection and script the frames it answers.</summary>
internal sealed class RawTtrpcListener : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _dir;

    public RawTtrpcListener()
    {
        _dir = Directory.CreateTempSubdirectory("podvm-raw-").FullName;
        SocketPath = Path.Combine(_dir, "raw.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(8);
    }

    public string SocketPath { get; }

    public async Task<RawTtrpcSocket> AcceptAsync()
    {
        var socket = await _listener.AcceptAsync().DefaultTimeout();
        return RawTtrpcSocket.FromAccepted(socket);
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }
}
