using System.Net;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// Fetches VCEKs from AMD KDS over HTTP. Expected network outcomes (404, 429, timeouts, connection failures) are a
/// null result; the verifier then rejects with CollateralUnavailable. Wrap it in <see cref="CachingSnpCertificateSource"/>:
/// KDS rate-limits and a VCEK only changes with the TCB.
/// </summary>
public sealed class KdsSnpCertificateSource : ISnpCertificateSource
{
    private readonly HttpClient _http;
    private readonly string _baseAddress;

    public KdsSnpCertificateSource(HttpClient http, string baseAddress = AmdKds.DefaultBaseAddress)
    {
        _http = http;
        _baseAddress = baseAddress;
    }

    public async ValueTask<byte[]?> GetVcekAsync(SnpProcessorGeneration generation, ReadOnlyMemory<byte> chipId, SnpTcb reportedTcb, CancellationToken cancellationToken)
    {
        var url = AmdKds.VcekUrl(generation, chipId.Span, reportedTcb, _baseAddress);
        try
        {
            using var response = await _http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
