using System.Text.Json;
using PodVm.Attester.Tpm;

namespace PodVm.Attester.Evidence;

/// <summary>
/// The local development TEE: the local provider signs a report over the guest's report data. With a vTPM, every
/// report request names the AK (the host binds its digest into the report) and the evidence adds a quote by that AK
/// qualified by the same report data.
/// </summary>
internal sealed class LocalDevEvidenceProvider(SideChannelClient client, VtpmAttester? vtpm = null) : IEvidenceProvider
{
    public string Tee => "local-dev";

    public async Task<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        var ak = vtpm?.AkSubjectPublicKeyInfo ?? ReadOnlyMemory<byte>.Empty;
        var report = await client.RequestReportAsync(reportData, ak, cancellationToken).ConfigureAwait(false);
        TpmEvidence? quote = null;
        if (vtpm is not null)
        {
            try
            {
                quote = await vtpm.QuoteAsync(reportData, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TpmException or IOException)
            {
                throw new EvidenceException(EvidenceErrorReason.IoError, $"the vTPM quote failed: {ex.Message}", ex);
            }
        }

        return JsonSerializer.SerializeToUtf8Bytes(new LocalDevEvidence(Convert.ToBase64String(report), quote), AttesterJsonContext.Default.LocalDevEvidence);
    }
}
