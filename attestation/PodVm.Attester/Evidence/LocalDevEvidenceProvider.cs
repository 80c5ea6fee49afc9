using System.Text.Json;

namespace PodVm.Attester.Evidence;

/// <summary>The local development TEE: the local provider signs a report over the guest's report data.</summary>
internal sealed class LocalDevEvidenceProvider(SideChannelClient client) : IEvidenceProvider
{
    public string Tee => "local-dev";

    public async Task<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        var report = await client.RequestReportAsync(reportData, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.SerializeToUtf8Bytes(new LocalDevEvidence(Convert.ToBase64String(report)), AttesterJsonContext.Default.LocalDevEvidence);
    }
}
