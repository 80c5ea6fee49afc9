using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PodVm.Benchmarks;

/// <summary>
/// The Go ttrpc peer (tests/interop/go): built by build.sh (cached), started in bench-serve mode, or run in
/// bench-call mode whose one JSON line of figures is parsed. The path is handed to BenchmarkDotNet's in-process
/// runs through <see cref="PathVariable"/>.
/// </summary>
internal static class GoPeer
{
    public const string PathVariable = "PODVM_TTRPC_PEER";

    public static string Build()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }

        var script = Path.Combine(FindRepoRoot(), "tests", "interop", "go", "build.sh");
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"building the Go ttrpc peer failed ({process.ExitCode}): {stderr.Result}");
        }

        var path = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        Environment.SetEnvironmentVariable(PathVariable, path);
        return path;
    }

    /// <summary>Starts bench-serve on <paramref name="socketPath"/> and returns once it is listening.</summary>
    public static Process StartServer(string peerPath, string socketPath)
    {
        var start = new ProcessStartInfo(peerPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        foreach (var arg in new[] { "bench-serve", "-socket", socketPath })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {peerPath}");
        var ready = process.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(15)) || ready.Result?.Contains("listening", StringComparison.Ordinal) != true)
        {
            process.Kill();
            throw new InvalidOperationException("the Go peer did not start listening");
        }

        return process;
    }

    /// <summary>Stops a bench-serve process: closing its stdin makes it exit.</summary>
    public static void StopServer(Process process)
    {
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            process.Kill();
        }

        process.Dispose();
    }

    /// <summary>Runs the Go client's bench-call against <paramref name="socketPath"/> and returns its figures.</summary>
    public static Measurement RunClient(string peerPath, string socketPath, Workload workload, TimeSpan warmup, TimeSpan duration)
    {
        var start = new ProcessStartInfo(peerPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "bench-call", "-socket", socketPath, "-workload", WorkloadSettings.GoName(workload),
            "-warmup", Millis(warmup), "-duration", Millis(duration),
            "-concurrency", WorkloadSettings.Concurrency(workload).ToString(CultureInfo.InvariantCulture),
            "-size", WorkloadSettings.PayloadBytes.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {peerPath}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(warmup + duration + TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException("the Go bench client did not finish");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the Go bench client failed ({process.ExitCode}): {stderr.Result}");
        }

        using var json = JsonDocument.Parse(stdout.Trim());
        var root = json.RootElement;
        return new Measurement(root.GetProperty("ops").GetInt64(), TimeSpan.FromSeconds(root.GetProperty("seconds").GetDouble()));
    }

    private static string Millis(TimeSpan span) => ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "PodVm.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("PodVm.sln not found above the benchmark or the current directory");
    }
}
