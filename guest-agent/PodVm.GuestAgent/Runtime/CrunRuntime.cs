using System.Diagnostics;
using System.Globalization;

namespace PodVm.GuestAgent.Runtime;

/// <summary>
/// Drives crun. Container and exec processes inherit crun's stdio, so their stdio is the pipes this class creates;
/// crun's own errors go to a per-bundle log file (<c>--log</c>) and are reported from there.
/// </summary>
internal sealed class CrunRuntime(AgentOptions options)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private bool NoPivot => options.NoPivot ?? IsRootInitramfs();

    /// <summary><c>crun create</c>: the container's init waits for <see cref="StartAsync"/>.</summary>
    public Task<CrunSpawn> CreateAsync(string id, string bundle, CancellationToken cancellationToken)
    {
        var args = new List<string> { "create", "--bundle", bundle, "--pid-file", Path.Combine(bundle, "init.pid") };
        if (NoPivot)
        {
            args.Add("--no-pivot");
        }

        args.Add(id);
        return SpawnAsync(args, Path.Combine(bundle, "init.pid"), Path.Combine(bundle, "crun.log"), $"create container {id}", cancellationToken);
    }

    /// <summary><c>crun exec --detach</c> of a process.json.</summary>
    public Task<CrunSpawn> ExecAsync(string id, string execId, string bundle, string processJson, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(bundle, $"exec-{execId}.pid");
        var args = new List<string> { "exec", "--detach", "--pid-file", pidFile, "--process", processJson, id };
        return SpawnAsync(args, pidFile, Path.Combine(bundle, $"exec-{execId}.log"), $"exec {execId} in container {id}", cancellationToken);
    }

    public Task StartAsync(string id, string bundle, CancellationToken cancellationToken) =>
        RunAsync(["start", id], bundle, $"start container {id}", cancellationToken);

    public Task KillAsync(string id, string bundle, int signal, bool all, CancellationToken cancellationToken) =>
        RunAsync(all ? ["kill", "--all", id, signal.ToString(CultureInfo.InvariantCulture)] : ["kill", id, signal.ToString(CultureInfo.InvariantCulture)],
            bundle, $"signal container {id}", cancellationToken);

    public Task DeleteAsync(string id, string bundle, CancellationToken cancellationToken) =>
        RunAsync(["delete", "--force", id], bundle, $"delete container {id}", cancellationToken);

    public Task PauseAsync(string id, string bundle, CancellationToken cancellationToken) =>
        RunAsync(["pause", id], bundle, $"pause container {id}", cancellationToken);

    public Task ResumeAsync(string id, string bundle, CancellationToken cancellationToken) =>
        RunAsync(["resume", id], bundle, $"resume container {id}", cancellationToken);

    public Task UpdateAsync(string id, string bundle, string resourcesJson, CancellationToken cancellationToken) =>
        RunAsync(["update", "--resources", resourcesJson, id], bundle, $"update container {id}", cancellationToken);

    private ProcessStartInfo StartInfo(IEnumerable<string> args, string logFile)
    {
        var psi = new ProcessStartInfo(options.CrunPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(options.CrunRoot);
        psi.ArgumentList.Add("--log");
        psi.ArgumentList.Add(logFile);
        psi.ArgumentList.Add("--cgroup-manager");
        psi.ArgumentList.Add("cgroupfs");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    private async Task<CrunSpawn> SpawnAsync(List<string> args, string pidFile, string logFile, string what, CancellationToken cancellationToken)
    {
        File.Delete(pidFile);
        File.Delete(logFile);
        Directory.CreateDirectory(options.CrunRoot);
        using var process = System.Diagnostics.Process.Start(StartInfo(args, logFile))
            ?? throw new AgentException(AgentErrorReason.RuntimeFailed, $"{what}: crun did not start");
        var stdin = process.StandardInput.BaseStream;
        var stdout = process.StandardOutput.BaseStream;
        var stderr = process.StandardError.BaseStream;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CommandTimeout);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new AgentException(AgentErrorReason.RuntimeFailed, $"{what}: crun failed: {ReadLog(logFile)}");
            }

            var pidText = await File.ReadAllTextAsync(pidFile, cancellationToken).ConfigureAwait(false);
            return new CrunSpawn(int.Parse(pidText.Trim(), CultureInfo.InvariantCulture), stdin, stdout, stderr);
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            await stdin.DisposeAsync().ConfigureAwait(false);
            await stdout.DisposeAsync().ConfigureAwait(false);
            await stderr.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task RunAsync(string[] args, string bundle, string what, CancellationToken cancellationToken)
    {
        var logFile = Path.Combine(bundle, "crun-cmd.log");
        File.Delete(logFile);
        using var process = System.Diagnostics.Process.Start(StartInfo(args, logFile))
            ?? throw new AgentException(AgentErrorReason.RuntimeFailed, $"{what}: crun did not start");
        process.StandardInput.Close();
        var outTask = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errTask = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        var output = (await outTask.ConfigureAwait(false)) + (await errTask.ConfigureAwait(false));
        if (process.ExitCode != 0)
        {
            var log = ReadLog(logFile);
            throw new AgentException(AgentErrorReason.RuntimeFailed, $"{what}: crun failed: {(log.Length > 0 ? log : output.Trim())}");
        }
    }

    private static string ReadLog(string logFile)
    {
        try
        {
            var text = File.Exists(logFile) ? File.ReadAllText(logFile).Trim() : string.Empty;
            return text.Length > 2000 ? text[^2000..] : text;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>crun cannot pivot_root out of an initramfs (rootfs); detect it from /proc/mounts.</summary>
    private static bool IsRootInitramfs()
    {
        try
        {
            var root = File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).LastOrDefault(p => p.Length > 2 && p[1] == "/");
            return root is not null && root[2] is "rootfs" or "ramfs" or "tmpfs";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
