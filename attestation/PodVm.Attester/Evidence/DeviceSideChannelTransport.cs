using System.Net.Sockets;

namespace PodVm.Attester.Evidence;

/// <summary>
/// The guest end of the local development TEE's side channel: the virtio-serial character device
/// (/dev/virtio-ports/podvm.side), opened read-write with EBUSY retries. A unix socket at the path is accepted too
/// (the host end of a virtio-serial port is one; tests stand in for the device with it).
/// </summary>
internal sealed class DeviceSideChannelTransport(string path, TimeProvider time) : ISideChannelTransport
{
    /// <summary>ENXIO: open(2) of a unix socket.</summary>
    private const int ENxio = 6;

    public int MaxAttempts { get; init; } = 50;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public string Path => path;

    public async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new EvidenceException(EvidenceErrorReason.Unavailable, $"the local development TEE side channel {path} does not exist (is this a local pod VM?)");
        }

        try
        {
            return await BusyRetry.OpenAsync<Stream>(OpenOnce, MaxAttempts, RetryDelay, time, path, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.HResult == ENxio)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException se)
            {
                socket.Dispose();
                throw new EvidenceException(EvidenceErrorReason.IoError, $"cannot connect to the side channel socket {path}: {se.Message}", se);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EvidenceException(EvidenceErrorReason.IoError, $"cannot open the side channel {path}: {ex.Message}", ex);
        }
    }

    private Stream OpenOnce() => new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0, FileOptions.None);
}
