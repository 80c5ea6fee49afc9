using System.Diagnostics;
using System.Globalization;

namespace PodVm.LocalKvmProvider.Qemu;

/// <summary>
/// A host process known by pid and its start time (field 22 of /proc/PID/stat), so a recycled pid is never
/// mistaken for the QEMU we started. Zombies count as dead.
/// </summary>
public static class HostProcess
{
    public static long? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
            return fields[0] is "Z" or "X" ? null : long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    public static bool IsAlive(int pid, long startTime) => pid > 0 && StartTime(pid) == startTime;

    /// <summary>SIGKILL, if it is still the same process.</summary>
    public static void Kill(int pid, long startTime)
    {
        if (!IsAlive(pid, startTime))
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <summary>Resident set size in KiB (VmRSS from /proc/PID/status), or null when the process is gone.</summary>
    public static long? ResidentKiB(int pid) => StatusKiB(pid, "VmRSS:");

    /// <summary>
    /// RssAnon of a process in KiB: its private memory (for QEMU: the guest RAM it touched, TCG's translation buffer,
    /// its heap), i.e. RSS without the file pages (the kernel and initrd it maps, its binary and libraries) that every
    /// VM of the same image shares through the page cache; null when it is gone.
    /// </summary>
    public static long? AnonymousKiB(int pid) => StatusKiB(pid, "RssAnon:");

    private static long? StatusKiB(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }

        return null;
    }
}
