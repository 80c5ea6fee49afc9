using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PodVm.Attester.Tpm;

/// <summary>
/// A TPM simulator's raw command socket (swtpm <c>--server type=tcp</c>): the command bytes go out as they are and
/// the response is read by its header's size field. Used by tests against swtpm and for host-side tools.
/// </summary>
internal sealed class TpmSocketTransport : ITpmTransport
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private TpmSocketTransport(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<TpmSocketTransport> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new TpmSocketTransport(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(command, cancellationToken).ConfigureAwait(false);
            var header = new byte[TpmCommand.HeaderSize];
            await _stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            var size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2));
            if (size < TpmCommand.HeaderSize || size > TpmCommand.MaxResponseSize)
            {
                throw new TpmException($"the TPM's response claims {size} bytes");
            }

            var response = new byte[size];
            header.CopyTo(response, 0);
            await _stream.ReadExactlyAsync(response.AsMemory(TpmCommand.HeaderSize), cancellationToken).ConfigureAwait(false);
            return response;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
        _gate.Dispose();
    }
}
