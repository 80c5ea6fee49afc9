using System.Diagnostics;
using System.Text;

namespace PodVm.CloudApiAdaptor.Integration.Tests;

/// <summary>
/// One <c>podvm caa serve --provider local</c> process (the CLI run with <c>dotnet podvm.dll</c>) on a test's runtime
/// directory. Its log lines are kept; waits are on log lines, each with a deadline. <see cref="KillHard"/> is a
/// kill -9: no shutdown code runs, the QEMU processes (own session) stay.
/// </summary>
internal sealed class AdaptorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AdaptorProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public Task Exited => _exited.Task;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the adaptor and returns once it listens on its hypervisor socket.</summary>
    public static async Task<AdaptorProcess> StartAsync(TestRuntime runtime, TimeSpan reconcileInterval)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { AdaptorFixture.CliDll, "caa", "serve", "--provider", "local", "--socket", runtime.HypervisorSocket, "--state-dir", runtime.StateDirectory, "--pods-dir", runtime.PodsDirectory })
        {
            start.ArgumentList.Add(arg);
        }

        var env = start.Environment;
        env["PODVM_Adaptor__ClusterName"] = runtime.ClusterName;
        env["PODVM_Adaptor__MetricsUrl"] = "http://127.0.0.1:0";
        env["PODVM_Adaptor__ReconcileInterval"] = reconcileInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        env["PODVM_Adaptor__OrphanGracePeriod"] = "00:00:01";
        env["PODVM_LocalKvm__StateDirectory"] = runtime.VmsDirectory;
        env["PODVM_LocalKvm__LogDirectory"] = runtime.VmLogDirectory;
        env["PODVM_LocalKvm__ImageDirectory"] = runtime.ImageDirectory;
        env["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        env["DOTNET_NOLOGO"] = "1";

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var adaptor = new AdaptorProcess(process);
        process.OutputDataReceived += (_, e) => adaptor.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => adaptor.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => adaptor._exited.TrySetResult(), TaskScheduler.Default);
        runtime.Track(adaptor);
        var listening = adaptor.WaitForLineAsync("hypervisor service listening on", TimeSpan.FromSeconds(90));
        var first = await Task.WhenAny(listening, adaptor.Exited);
        if (first != listening)
        {
            Assert.Fail($"podvm caa serve exited ({process.ExitCode}) before it listened:\n{adaptor.Log}");
        }

        await listening;
        return adaptor;
    }

    /// <summary>Completes when a log line containing <paramref name="text"/> has been written (also before the call).</summary>
    public Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        lock (_log)
        {
            if (_log.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, seen));
            return seen.Task.WaitAsync(timeout).ContinueWith(
                t => t.IsFaulted ? throw new TimeoutException($"no log line with '{text}' within {timeout.TotalSeconds:0}s:\n{Log}") : t,
                TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>kill -9, and wait until the process is gone.</summary>
    public async Task KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        await Exited.WithTimeout(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillHard();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (line.Contains(_waiters[i].Text, StringComparison.Ordinal))
                {
                    _waiters[i].Seen.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
