using System.Buffers.Binary;
using System.Net.Sockets;

namespace PodVm.Protocols.Tests.Ttrpc;

/// <summary>A byte-level peer for golden-byte tests: writes exactly the bytes given, reads whole frames back.</summary>
internal sealed class RawTtrpcSocket : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private RawTtrpcSocket(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public Stream Stream => _stream;

    public static RawTtrpcSocket FromAccepted(Socket socket) => new(socket);

    public static async Task<RawTtrpcSocket> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path)).DefaultTimeout();
        return new RawTtrpcSocket(socket);
    }

    public Task SendAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask().DefaultTimeout();

    public async Task<(uint StreamId, byte Type, byte Flags, byte[] Data)> ReadFrameAsync()
    {
        var header = new byte[10];
        await _stream.ReadExactlyAsync(header).AsTask().DefaultTimeout();
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        var data = new byte[length];
        await _stream.ReadExactlyAsync(data).AsTask().DefaultTimeout();
        return (BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)), header[8], header[9], data);
    }

    public static byte[] Frame(uint streamId, byte type, byte flags, byte[] data)
    {
        var frame = new byte[10 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), streamId);
        frame[8] = type;
        frame[9] = flags;
        data.CopyTo(frame, 10);
        return frame;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
