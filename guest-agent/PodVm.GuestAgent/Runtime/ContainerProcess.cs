using PodVm.GuestAgent.Interop;
using PodVm.GuestAgent.Stdio;

namespace PodVm.GuestAgent.Runtime;

/// <summary>A process in a container (its init, or an exec), with its stdio and its exit code.</summary>
internal sealed class ContainerProcess(string execId, int pid, bool isInit, InputStream stdin, OutputBuffer stdout, OutputBuffer stderr, Task<int> exited)
    : IDisposable
{
    public string ExecId { get; } = execId;

    public int Pid { get; } = pid;

    public bool IsInit { get; } = isInit;

    public InputStream Stdin { get; } = stdin;

    public OutputBuffer Stdout { get; } = stdout;

    public OutputBuffer Stderr { get; } = stderr;

    /// <summary>The exit code: status, or 128 + signal.</summary>
    public Task<int> Exited { get; } = exited;

    public bool HasExited => Exited.IsCompleted;

    /// <summary>Sends <paramref name="signal"/>; a process that has exited is not an error.</summary>
    public void Signal(int signal)
    {
        if (!HasExited)
        {
            _ = LibC.Kill(Pid, signal);
        }
    }

    /// <summary>True when the process has a handler installed for <paramref name="signal"/> (SigCgt in /proc).</summary>
    public bool HandlesSignal(int signal)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (line.StartsWith("SigCgt:", StringComparison.Ordinal))
                {
                    var mask = Convert.ToUInt64(line[7..].Trim(), 16);
                    return (mask & (1UL << (signal - 1))) != 0;
                }
            }
        }
        catch (IOException)
        {
            return false;
        }

        return false;
    }

    public void Dispose()
    {
        Stdin.Dispose();
        Stdout.Dispose();
        Stderr.Dispose();
    }
}
