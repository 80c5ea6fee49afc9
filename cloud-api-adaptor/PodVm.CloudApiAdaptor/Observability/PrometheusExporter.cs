using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace PodVm.CloudApiAdaptor.Observability;

/// <summary>
/// Renders the PodVm meters in the Prometheus text format (version 0.0.4) for /metrics: counters as sums per tag
/// set, histograms with fixed second-scale buckets, observable gauges read at scrape time.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Buckets = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Tags), Series> _series = new();

    public PrometheusExporter(Func<Meter, bool> include)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (include(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public string Render()
    {
        // Gauges report on demand: clear their old values, then ask for fresh ones.
        foreach (var key in _series.Keys.Where(k => k.Instrument is ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double>))
        {
            _series.TryRemove(key, out _);
        }

        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _series.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var instrument = group.Key;
            var name = instrument.Name;
            var type = instrument switch
            {
                Histogram<double> or Histogram<long> => "histogram",
                Counter<long> or Counter<int> or Counter<double> => "counter",
                _ => "gauge",
            };
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {instrument.Description}\n# TYPE {name} {type}\n");
            foreach (var (key, series) in group.OrderBy(s => s.Key.Tags, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (type == "histogram")
                    {
                        long cumulative = 0;
                        for (var i = 0; i < Buckets.Length; i++)
                        {
                            cumulative += series.BucketCounts[i];
                            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{Labels(key.Tags, $"le=\"{Buckets[i]}\"")} {cumulative}\n");
                        }

                        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{Labels(key.Tags, "le=\"+Inf\"")} {series.Count}\n");
                        text.Append(CultureInfo.InvariantCulture, $"{name}_sum{Labels(key.Tags, null)} {series.Sum}\n");
                        text.Append(CultureInfo.InvariantCulture, $"{name}_count{Labels(key.Tags, null)} {series.Count}\n");
                    }
                    else
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{name}{Labels(key.Tags, null)} {series.Sum}\n");
                    }
                }
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private static string Labels(string tags, string? extra)
    {
        var all = string.IsNullOrEmpty(extra) ? tags : string.IsNullOrEmpty(tags) ? extra : tags + "," + extra;
        return all.Length == 0 ? string.Empty : "{" + all + "}";
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new StringBuilder();
        foreach (var tag in tags)
        {
            if (labels.Length > 0)
            {
                labels.Append(',');
            }

            var text = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty;
            labels.Append(tag.Key).Append("=\"").Append(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('"');
        }

        var series = _series.GetOrAdd((instrument, labels.ToString()), static _ => new Series());
        lock (series)
        {
            if (instrument is Histogram<double> or Histogram<long>)
            {
                series.Count++;
                series.Sum += value;
                var index = Array.FindIndex(Buckets, b => value <= b);
                if (index >= 0)
                {
                    series.BucketCounts[index]++;
                }
            }
            else if (instrument is ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double>)
            {
                series.Sum = value;
            }
            else
            {
                series.Sum += value;
            }
        }
    }

    private sealed class Series
    {
        public long[] BucketCounts { get; } = new long[Buckets.Length];

        public long Count { get; set; }

        public double Sum { get; set; }
    }
}
