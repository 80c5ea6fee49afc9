using System.Globalization;
using PodVm.Protocols.Agent;

namespace PodVm.GuestAgent.Cgroups;

/// <summary>Reads a container's cgroup statistics into the Kata <see cref="CgroupStats"/> shape (v2 files; v1 equivalents on legacy hosts).</summary>
internal sealed class CgroupStatsReader(CgroupPaths paths)
{
    public CgroupStats Read(string cgroup) => paths.Version == CgroupVersion.V2 ? ReadV2(cgroup) : ReadV1(cgroup);

    private CgroupStats ReadV2(string cgroup)
    {
        var cpu = KeyValues(paths.File(cgroup, "cpu", "cpu.stat"));
        var memStat = KeyValues(paths.File(cgroup, "memory", "memory.stat"));
        var memEvents = KeyValues(paths.File(cgroup, "memory", "memory.events"));
        var stats = new CgroupStats
        {
            CpuStats = new CpuStats
            {
                CpuUsage = new CpuUsage
                {
                    TotalUsage = cpu.GetValueOrDefault("usage_usec") * 1000,
                    UsageInUsermode = cpu.GetValueOrDefault("user_usec") * 1000,
                    UsageInKernelmode = cpu.GetValueOrDefault("system_usec") * 1000,
                },
                ThrottlingData = new ThrottlingData
                {
                    Periods = cpu.GetValueOrDefault("nr_periods"),
                    ThrottledPeriods = cpu.GetValueOrDefault("nr_throttled"),
                    ThrottledTime = cpu.GetValueOrDefault("throttled_usec") * 1000,
                },
            },
            MemoryStats = new MemoryStats
            {
                Cache = memStat.GetValueOrDefault("file"),
                UseHierarchy = true,
                Usage = new MemoryData
                {
                    Usage = Single(paths.File(cgroup, "memory", "memory.current")),
                    MaxUsage = Single(paths.File(cgroup, "memory", "memory.peak")),
                    Limit = Single(paths.File(cgroup, "memory", "memory.max")),
                    Failcnt = memEvents.GetValueOrDefault("max"),
                },
                SwapUsage = new MemoryData
                {
                    Usage = Single(paths.File(cgroup, "memory", "memory.swap.current")),
                    Limit = Single(paths.File(cgroup, "memory", "memory.swap.max")),
                },
            },
            PidsStats = new PidsStats
            {
                Current = Single(paths.File(cgroup, "pids", "pids.current")),
                Limit = Single(paths.File(cgroup, "pids", "pids.max")),
            },
            BlkioStats = new BlkioStats(),
        };
        foreach (var (k, v) in memStat)
        {
            stats.MemoryStats.Stats[k] = v;
        }

        foreach (var line in Lines(paths.File(cgroup, "io", "io.stat")))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || parts[0].Split(':') is not [var maj, var min])
            {
                continue;
            }

            foreach (var kv in parts.Skip(1))
            {
                var eq = kv.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0 || !ulong.TryParse(kv[(eq + 1)..], CultureInfo.InvariantCulture, out var value))
                {
                    continue;
                }

                var entry = new BlkioStatsEntry { Major = ulong.Parse(maj, CultureInfo.InvariantCulture), Minor = ulong.Parse(min, CultureInfo.InvariantCulture), Value = value };
                switch (kv[..eq])
                {
                    case "rbytes": entry.Op = "Read"; stats.BlkioStats.IoServiceBytesRecursive.Add(entry); break;
                    case "wbytes": entry.Op = "Write"; stats.BlkioStats.IoServiceBytesRecursive.Add(entry); break;
                    case "rios": entry.Op = "Read"; stats.BlkioStats.IoServicedRecursive.Add(entry); break;
                    case "wios": entry.Op = "Write"; stats.BlkioStats.IoServicedRecursive.Add(entry); break;
                    default: break;
                }
            }
        }

        return stats;
    }

    private CgroupStats ReadV1(string cgroup)
    {
        var cpuacct = KeyValues(paths.File(cgroup, "cpuacct", "cpuacct.stat"));
        var cpu = KeyValues(paths.File(cgroup, "cpu", "cpu.stat"));
        var memStat = KeyValues(paths.File(cgroup, "memory", "memory.stat"));
        const ulong NsPerTick = 10_000_000;
        var stats = new CgroupStats
        {
            CpuStats = new CpuStats
            {
                CpuUsage = new CpuUsage
                {
                    TotalUsage = Single(paths.File(cgroup, "cpuacct", "cpuacct.usage")),
                    UsageInUsermode = cpuacct.GetValueOrDefault("user") * NsPerTick,
                    UsageInKernelmode = cpuacct.GetValueOrDefault("system") * NsPerTick,
                },
                ThrottlingData = new ThrottlingData
                {
                    Periods = cpu.GetValueOrDefault("nr_periods"),
                    ThrottledPeriods = cpu.GetValueOrDefault("nr_throttled"),
                    ThrottledTime = cpu.GetValueOrDefault("throttled_time"),
                },
            },
            MemoryStats = new MemoryStats
            {
                Cache = memStat.GetValueOrDefault("cache"),
                UseHierarchy = Single(paths.File(cgroup, "memory", "memory.use_hierarchy")) == 1,
                Usage = new MemoryData
                {
                    Usage = Single(paths.File(cgroup, "memory", "memory.usage_in_bytes")),
                    MaxUsage = Single(paths.File(cgroup, "memory", "memory.max_usage_in_bytes")),
                    Limit = Single(paths.File(cgroup, "memory", "memory.limit_in_bytes")),
                    Failcnt = Single(paths.File(cgroup, "memory", "memory.failcnt")),
                },
            },
            PidsStats = new PidsStats
            {
                Current = Single(paths.File(cgroup, "pids", "pids.current")),
                Limit = Single(paths.File(cgroup, "pids", "pids.max")),
            },
            BlkioStats = new BlkioStats(),
        };
        foreach (var (k, v) in memStat)
        {
            stats.MemoryStats.Stats[k] = v;
        }

        return stats;
    }

    /// <summary>"key value" lines (cpu.stat, memory.stat, memory.events).</summary>
    internal static Dictionary<string, ulong> KeyValues(string file)
    {
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in Lines(file))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[1], CultureInfo.InvariantCulture, out var v))
            {
                result[parts[0]] = v;
            }
        }

        return result;
    }

    /// <summary>A single-number file; "max" is <see cref="ulong.MaxValue"/>; missing is 0.</summary>
    internal static ulong Single(string file)
    {
        var text = Lines(file).FirstOrDefault()?.Trim();
        return text switch
        {
            null or "" => 0,
            "max" => ulong.MaxValue,
            _ => ulong.TryParse(text, CultureInfo.InvariantCulture, out var v) ? v : 0,
        };
    }

    private static string[] Lines(string file)
    {
        try
        {
            return File.Exists(file) ? File.ReadAllLines(file) : [];
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
