namespace PodVm.GuestHosting;

/// <summary>
/// Tells whoever started a guest program (the forwarder, the guest agent) how far its start has got, one <c>NAME=1</c> line per state
/// (<see cref="Configured"/>, <see cref="Ready"/> or <see cref="Failed"/>, in the manner of systemd's sd_notify): the
/// pod VM's /init reads them from a FIFO instead of polling /proc/net/tcp, so it learns of each state at once and
/// spends no emulated CPU asking. The target is opened once, before any state, so a wrong path
/// fails the start at once instead of leaving the reader waiting; the reader of a FIFO must hold it open (the /init
/// opens it read-write), or the open waits for one.
/// </summary>
public sealed class StartupNotifier : IDisposable
{
    /// <summary>The user data was processed and every configuration file is written.</summary>
    public const string Configured = "CONFIGURED=1";

    /// <summary>The listener is bound: connections are queued from now on.</summary>
    public const string Ready = "READY=1";

    /// <summary>The start failed (the reason is on standard error); the process exits.</summary>
    public const string Failed = "FAILED=1";

    private readonly FileStream _target;
    private readonly string _program;

    private StartupNotifier(FileStream target, string program)
    {
        _target = target;
        _program = program;
    }

    /// <summary>Opens <paramref name="path"/> (an existing file or FIFO) for writing.</summary>
    /// <param name="path">The target.</param>
    /// <param name="program">The program's name, for its messages (e.g. <c>podvm-forwarder</c>).</param>
    /// <exception cref="IOException">The path does not exist or cannot be written; the message names it.</exception>
    public static StartupNotifier Open(string path, string program)
    {
        try
        {
            return new StartupNotifier(new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0), program);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"cannot open the notify target {path}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The programs' start: no <paramref name="path"/> (no notifier asked for) gives true and null; a path that cannot
    /// be opened is reported on standard error as <c>program: reason</c> and gives false (the program exits 2).
    /// </summary>
    public static bool TryOpen(string? path, string program, out StartupNotifier? notifier)
    {
        notifier = null;
        if (path is null)
        {
            return true;
        }

        try
        {
            notifier = Open(path, program);
            return true;
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"{program}: {ex.Message}");
            return false;
        }
    }

    /// <summary>
    /// Runs a guest program's start under a notifier: opens <paramref name="path"/> (null: no notifier; unopenable:
    /// exit code 2, reported by <see cref="TryOpen"/>), runs <paramref name="start"/>, and says <see cref="Failed"/>
    /// when it returns a non-zero exit code before or after saying <see cref="Ready"/> (after it, the reader has
    /// closed the target and nothing is written).
    /// </summary>
    public static async Task<int> RunAsync(string? path, string program, Func<StartupNotifier?, Task<int>> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (!TryOpen(path, program, out var notifier))
        {
            return 2;
        }

        using (notifier)
        {
            var exitCode = await start(notifier).ConfigureAwait(false);
            if (exitCode != 0)
            {
                notifier?.Notify(Failed);
            }

            return exitCode;
        }
    }

    /// <summary>
    /// Writes one state line, unbuffered, so the reader sees it at once. A reader that has gone away (EPIPE) does not
    /// stop the program: serving matters more than the notice, so the failure is reported and false returned.
    /// </summary>
    public bool Notify(string state)
    {
        if (!_target.CanWrite)
        {
            return false; // disposed: the start is over and the reader was told
        }

        try
        {
            _target.Write(System.Text.Encoding.ASCII.GetBytes(state + "\n"));
            return true;
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"{_program}: could not notify {state}: {ex.Message}");
            return false;
        }
    }

    public void Dispose() => _target.Dispose();
}
