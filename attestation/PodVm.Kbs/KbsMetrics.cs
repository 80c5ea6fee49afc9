using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace PodVm.Kbs;

/// <summary>KBS counters, exported as a Meter ("PodVm.Kbs") and in Prometheus text format on /metrics.</summary>
public sealed class KbsMetrics : IDisposable
{
    private readonly Meter _meter = new("PodVm.Kbs");
    private long _authRequests;
    private long _authErrors;
    private long _attestRequests;
    private long _attestSuccesses;
    private long _attestFailures;
    private long _resourceRequests;
    private long _resourceReleased;
    private long _resourceDenied;
    private long _rateLimited;

    public KbsMetrics()
    {
        _meter.CreateObservableCounter("kbs_auth_requests_total", () => Volatile.Read(ref _authRequests));
        _meter.CreateObservableCounter("kbs_attestation_successes_total", () => Volatile.Read(ref _attestSuccesses));
        _meter.CreateObservableCounter("kbs_resource_released_total", () => Volatile.Read(ref _resourceReleased));
    }

    public void AuthRequest() => Interlocked.Increment(ref _authRequests);

    public void AuthError() => Interlocked.Increment(ref _authErrors);

    public void AttestRequest() => Interlocked.Increment(ref _attestRequests);

    public void AttestSuccess() => Interlocked.Increment(ref _attestSuccesses);

    public void AttestFailure() => Interlocked.Increment(ref _attestFailures);

    public void ResourceRequest() => Interlocked.Increment(ref _resourceRequests);

    public void ResourceReleased() => Interlocked.Increment(ref _resourceReleased);

    public void ResourceDenied() => Interlocked.Increment(ref _resourceDenied);

    public void RateLimited() => Interlocked.Increment(ref _rateLimited);

    public string RenderPrometheus()
    {
        var sb = new StringBuilder();
        void Counter(string name, string help, long value) =>
            sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");
        Counter("kbs_auth_requests_total", "RCAR /auth requests", Volatile.Read(ref _authRequests));
        Counter("kbs_auth_errors_total", "RCAR /auth requests refused", Volatile.Read(ref _authErrors));
        Counter("kbs_attestation_requests_total", "RCAR /attest requests", Volatile.Read(ref _attestRequests));
        Counter("kbs_attestation_successes_total", "attestations that produced a token", Volatile.Read(ref _attestSuccesses));
        Counter("kbs_attestation_failures_total", "attestations refused", Volatile.Read(ref _attestFailures));
        Counter("kbs_resource_requests_total", "resource requests", Volatile.Read(ref _resourceRequests));
        Counter("kbs_resource_released_total", "resources released as JWE", Volatile.Read(ref _resourceReleased));
        Counter("kbs_resource_denied_total", "resource requests refused", Volatile.Read(ref _resourceDenied));
        Counter("kbs_rate_limited_total", "requests rejected by the rate limiter", Volatile.Read(ref _rateLimited));
        return sb.ToString();
    }

    public void Dispose() => _meter.Dispose();
}
