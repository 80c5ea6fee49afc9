using System.Diagnostics.Metrics;
using PodVm.CloudApiAdaptor.Lifecycle;

namespace PodVm.CloudApiAdaptor.Observability;

/// <summary>The adaptor's one Meter: pods by state, lifecycle latencies, provider errors, proxy calls and bytes.</summary>
public sealed class AdaptorMetrics : IDisposable
{
    public const string MeterName = "PodVm.CloudApiAdaptor";

    private readonly Meter _meter;
    private readonly Histogram<double> _create;
    private readonly Histogram<double> _start;
    private readonly Histogram<double> _stop;
    private readonly Counter<long> _providerErrors;
    private readonly Counter<long> _proxyCalls;
    private readonly Counter<long> _proxyBytes;
    private readonly Counter<long> _orphansDeleted;
    private Func<IReadOnlyDictionary<PodState, int>> _podsByState = static () => new Dictionary<PodState, int>();

    public AdaptorMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _create = _meter.CreateHistogram<double>("podvm_create_vm_seconds", "s", "CreateVM latency");
        _start = _meter.CreateHistogram<double>("podvm_start_vm_seconds", "s", "StartVM latency: VM creation to agent ready");
        _stop = _meter.CreateHistogram<double>("podvm_stop_vm_seconds", "s", "StopVM latency");
        _providerErrors = _meter.CreateCounter<long>("podvm_provider_errors_total", description: "Provider calls that failed, by reason");
        _proxyCalls = _meter.CreateCounter<long>("podvm_proxy_calls_total", description: "Agent calls relayed, by method and status");
        _proxyBytes = _meter.CreateCounter<long>("podvm_proxy_bytes_total", "By", "Agent payload bytes relayed, by direction");
        _orphansDeleted = _meter.CreateCounter<long>("podvm_orphans_deleted_total", description: "VMs the reconciler deleted because no pod claimed them");
        _meter.CreateObservableGauge("podvm_pods", () => _podsByState().Select(kv => new Measurement<int>(kv.Value, new KeyValuePair<string, object?>("state", kv.Key.ToString()))), description: "Pod VMs by state");
    }

    public Meter Meter => _meter;

    public void ObservePods(Func<IReadOnlyDictionary<PodState, int>> podsByState) => _podsByState = podsByState;

    public void CreateVm(TimeSpan elapsed) => _create.Record(elapsed.TotalSeconds);

    public void StartVm(TimeSpan elapsed, bool ok) => _start.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("result", ok ? "ok" : "error"));

    public void StopVm(TimeSpan elapsed) => _stop.Record(elapsed.TotalSeconds);

    public void ProviderError(string reason) => _providerErrors.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ProxyCall(string method, Grpc.Core.StatusCode code, int requestBytes, int responseBytes)
    {
        _proxyCalls.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("code", code.ToString()));
        _proxyBytes.Add(requestBytes, new KeyValuePair<string, object?>("direction", "to_agent"));
        _proxyBytes.Add(responseBytes, new KeyValuePair<string, object?>("direction", "from_agent"));
    }

    public void OrphanDeleted() => _orphansDeleted.Add(1);

    public void Dispose() => _meter.Dispose();
}
