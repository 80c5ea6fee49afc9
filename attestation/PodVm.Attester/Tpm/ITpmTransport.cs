namespace PodVm.Attester.Tpm;

/// <summary>Sends one marshalled TPM 2.0 command and returns the whole response (the TPM's own framing, no wrapper).</summary>
internal interface ITpmTransport : IDisposable
{
    Task<byte[]> TransmitAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken);
}
