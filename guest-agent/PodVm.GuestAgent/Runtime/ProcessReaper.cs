using System.Runtime.InteropServices;
using PodVm.GuestAgent.Interop;

namespace PodVm.GuestAgent.Runtime;

/// <summary>
/// Reaps container processes. The agent is a child subreaper, so a container's init (and detached exec processes)
/// become its children when crun exits; each is waited for by pid on its own thread (never waitpid(-1), which would
/// steal the statuses of the runtime's own child processes).
/// </summary>
internal static class ProcessReaper
{
    /// <summary>Makes this process the subreaper of its descendants.</summary>
    public static bool BecomeSubreaper() => LibC.Prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;

    /// <summary>Completes with the shell-style exit code (status, or 128 + signal) when <paramref name="pid"/> ends.</summary>
    public static Task<int> WaitAsync(int pid)
    {
        var tcs = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            while (true)
            {
                var r = LibC.WaitPid(pid, out var status, 0);
                if (r == pid)
                {
                    tcs.TrySetResult(LibC.DecodeWaitStatus(status));
                    return;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (r < 0 && errno == LibC.EINTR)
                {
                    continue;
                }

                // Not our child (ECHILD): it was started by someone else; watch /proc instead.
                while (Directory.Exists($"/proc/{pid}") && !IsZombie(pid))
                {
                    Thread.Sleep(50);
                }

                tcs.TrySetResult(255);
                return;
            }
        })
        {
            IsBackground = true,
            Name = $"reap-{pid}",
        };
        thread.Start();
        return tcs.Task;
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z';
        }
        catch (IOException)
        {
            return true;
        }
    }
}
