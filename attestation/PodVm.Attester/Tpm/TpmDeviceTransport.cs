namespace PodVm.Attester.Tpm;

/// <summary>
/// The kernel's TPM character device (<c>/dev/tpmrm0</c>, the in-kernel resource manager): one write of a whole
/// command, then one read returns the whole response. Commands are serialised on the open descriptor.
/// </summary>
internal sealed class TpmDeviceTransport : ITpmTransport
{
    public const string DefaultPath = "/dev/tpmrm0";

    private readonly FileStream _device;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public TpmDeviceTransport(string path)
    {
        _device = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
    }

    public async Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _device.WriteAsync(command, cancellationToken).ConfigureAwait(false);
            var buffer = new byte[TpmCommand.MaxResponseSize];
            var read = await _device.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.AsSpan(0, read).ToArray();
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _device.Dispose();
        _gate.Dispose();
    }
}
