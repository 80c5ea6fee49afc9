using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace PodVm.Providers.Conformance.Tests.Adaptor;

/// <summary>
/// `dotnet podvm.dll caa serve --provider P --config FILE` as a child process (the CLI this project references is
/// copied beside the tests), with its settings file, sockets and state under a temporary directory, and its
/// /readyz endpoint on a free loopback port.
/// </summary>
internal sealed class CaaServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CaaServeProcess(Process process, Uri metrics)
    {
        _process = process;
        Metrics = metrics;
    }

    public Uri Metrics { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "podvm.dll");

    /// <summary>The Adaptor section a cloud provider needs (its own sizes, this run's directories and port).</summary>
    public static JsonObject AdaptorSection(string root, Uri metrics, string reconcileInterval) => new()
    {
        ["SocketPath"] = Path.Combine(root, "hypervisor.sock"),
        ["StateDirectory"] = Path.Combine(root, "state"),
        ["PodsDirectory"] = Path.Combine(root, "pods"),
        ["ClusterName"] = "test-cluster",
        ["NodeName"] = "node-1",
        ["MetricsUrl"] = metrics.ToString(),
        ["ReconcileInterval"] = reconcileInterval,
        ["OrphanGracePeriod"] = "00:00:00",
        ["DefaultInstanceType"] = "small-cvm",
        ["AllowedInstanceTypes"] = new JsonArray("small-cvm"),
        ["InstanceTypes"] = new JsonArray(new JsonObject { ["Name"] = "small-cvm", ["VCpus"] = 2, ["MemoryMiB"] = 8192 }),
    };

    public static Uri FreeLoopbackUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
    }

    public static CaaServeProcess Start(string provider, JsonObject settings, string root, Uri metrics)
    {
        var config = Path.Combine(root, "caa.json");
        File.WriteAllText(config, settings.ToJsonString());
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { CliDll, "caa", "serve", "--provider", provider, "--config", config })
        {
            start.ArgumentList.Add(argument);
        }

        // Only what the settings file says: no PODVM_ or cloud credentials from the environment running the tests.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PODVM_", StringComparison.Ordinal)
            || k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("AZURE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var result = new CaaServeProcess(process, metrics);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Waits for the process to exit on its own and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"podvm caa serve did not exit within {deadline}:\n{Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Polls /readyz until it answers ready; fails with the daemon's output if it exits or the deadline passes.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan deadline)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < deadline)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit();
                Assert.Fail($"podvm caa serve exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(Metrics, "readyz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        Assert.Fail($"podvm caa serve was not ready within {deadline}:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
