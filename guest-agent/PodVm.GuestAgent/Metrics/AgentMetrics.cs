using System.Globalization;
using System.Text;

namespace PodVm.GuestAgent.Metrics;

/// <summary>
/// The agent's own process metrics in the Prometheus text format, as the Kata agent's GetMetrics reports them
/// (kata_agent_* names): resident and peak resident memory from /proc/self/status, threads, open descriptors, and the
/// number of containers. Lets the host see, for example, that streaming a container's output does not grow the agent.
/// </summary>
internal static class AgentMetrics
{
    public static string Render(int containers)
    {
        var status = ReadStatus();
        var text = new StringBuilder();
        Gauge(text, "kata_agent_process_resident_memory_bytes", "Resident set size of the agent (VmRSS).", Kib(status, "VmRSS"));
        Gauge(text, "kata_agent_process_resident_memory_peak_bytes", "Peak resident set size of the agent (VmHWM).", Kib(status, "VmHWM"));
        Gauge(text, "kata_agent_process_threads", "Threads of the agent.", Number(status, "Threads"));
        Gauge(text, "kata_agent_process_open_fds", "Open file descriptors of the agent.", CountOpenFds());
        Gauge(text, "kata_agent_containers", "Containers the agent manages.", containers);
        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string help, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n");

    private static Dictionary<string, string> ReadStatus()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    values[line[..colon]] = line[(colon + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
            // No /proc: every value reads as 0.
        }

        return values;
    }

    private static long Kib(Dictionary<string, string> status, string key) =>
        status.TryGetValue(key, out var v) && v.EndsWith(" kB", StringComparison.Ordinal)
            && long.TryParse(v.AsSpan(0, v.Length - 3), NumberStyles.Integer, CultureInfo.InvariantCulture, out var kib)
            ? kib * 1024
            : 0;

    private static long Number(Dictionary<string, string> status, string key) =>
        status.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static long CountOpenFds()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount();
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
