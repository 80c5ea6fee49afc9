using System.Collections.Concurrent;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// Caches another source's VCEKs by (generation, chip id, TCB). Only found certificates are cached, so a transient
/// KDS failure is retried on the next report; the cache is bounded and starts over when full.
/// </summary>
public sealed class CachingSnpCertificateSource : ISnpCertificateSource
{
    private readonly ISnpCertificateSource _inner;
    private readonly int _capacity;
    private readonly ConcurrentDictionary<string, byte[]> _cache = new(StringComparer.Ordinal);

    public CachingSnpCertificateSource(ISnpCertificateSource inner, int capacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _inner = inner;
        _capacity = capacity;
    }

    public int Count => _cache.Count;

    public async ValueTask<byte[]?> GetVcekAsync(SnpProcessorGeneration generation, ReadOnlyMemory<byte> chipId, SnpTcb reportedTcb, CancellationToken cancellationToken)
    {
        var key = AmdKds.VcekUrl(generation, chipId.Span, reportedTcb).AbsoluteUri;
        if (_cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var fetched = await _inner.GetVcekAsync(generation, chipId, reportedTcb, cancellationToken).ConfigureAwait(false);
        if (fetched is not null)
        {
            if (_cache.Count >= _capacity)
            {
                _cache.Clear();
            }

            _cache[key] = fetched;
        }

        return fetched;
    }
}
