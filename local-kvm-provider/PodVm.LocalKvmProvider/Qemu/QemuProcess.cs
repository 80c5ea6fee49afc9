using System.Diagnostics;

namespace PodVm.LocalKvmProvider.Qemu;

/// <summary>
/// A running QEMU, started here or adopted from a state file. <see cref="Exited"/> completes within
/// <see cref="PollInterval"/> of the process dying (at once for a child of this process).
/// </summary>
public sealed class QemuProcess : IDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly Process? _child;
    private readonly CancellationTokenSource _stop = new();

    private QemuProcess(int pid, long startTime, Process? child)
    {
        Pid = pid;
        StartTime = startTime;
        _child = child;
        Exited = WatchAsync(_stop.Token);
    }

    public int Pid { get; }

    /// <summary>Start time in clock ticks since boot, from /proc/PID/stat; with <see cref="Pid"/> it names the process uniquely.</summary>
    public long StartTime { get; }

    /// <summary>Completes when QEMU is gone (or this object is disposed).</summary>
    public Task Exited { get; }

    public bool HasExited => Exited.IsCompleted;

    public static QemuProcess Started(Process child, long startTime) => new(child.Id, startTime, child);

    public static QemuProcess Adopted(int pid, long startTime) => new(pid, startTime, null);

    public void Kill()
    {
        if (_child is { } child)
        {
            try
            {
                child.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        }
        else
        {
            HostProcess.Kill(Pid, StartTime);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _child?.Dispose();
        _stop.Dispose();
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var childExit = _child?.WaitForExitAsync(cancellationToken) ?? Task.Delay(Timeout.Infinite, cancellationToken);
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            while (HostProcess.IsAlive(Pid, StartTime) && !childExit.IsCompleted)
            {
                var tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
                await Task.WhenAny(childExit, tick);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: stop watching.
        }
    }
}
