using System.Diagnostics;

namespace PodVm.CloudApiAdaptor.Integration.Tests;

/// <summary>
/// Interop with an independent shim: tests/shim-standin, a Go program on Debian's containerd/ttrpc that behaves as
/// Kata's remote hypervisor client (one connection per hypervisor call, the nine annotations, the agent sequence
/// over agentSocketPath), against <c>podvm caa serve --provider local</c> running as a separate process.
/// </summary>
public sealed class ShimStandinTests(AdaptorFixture fixture)
{
    [Fact]
    public async Task GoShimStandin_OnePodOneContainer_PrintsOutputExitsZeroAndLeavesNothing()
    {
        fixture.RequireVm();
        var standin = fixture.RequireStandin();
        await using var runtime = new TestRuntime(fixture.ImageDirectory);
        var adaptor = await AdaptorProcess.StartAsync(runtime, TimeSpan.Zero);

        var (exitCode, stdout, stderr) = await RunAsync(standin,
        [
            "-socket", runtime.HypervisorSocket,
            "-pod-name", "k8s_standin_default_0f1e2d3c_0",
            "-image-dir", runtime.ImageDirectory,
            "-vcpus", "1",
            "-memory", "256",
            "-image", "busybox",
            "-expect-stdout", "hello\n",
            "-expect-exit", "0",
            "-deadline", "8m",
            "--", "echo", "hello",
        ]);

        var context = $"stand-in exit {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}\nadaptor log:\n{adaptor.Log}";
        Assert.True(exitCode == 0, context);
        Assert.Equal("hello\n", stdout);
        Assert.Contains("shim-standin: PASS", stderr, StringComparison.Ordinal);
        Assert.Contains("pod default/standin", adaptor.Log, StringComparison.Ordinal);
        Assert.Empty(runtime.Vms());
        Assert.Empty(Directory.GetFileSystemEntries(runtime.PodsDirectory));
    }

    [Fact]
    public async Task GoShimStandin_UnexpectedOutput_ExitsNonZeroNamingTheMismatchAndStillStopsTheVm()
    {
        fixture.RequireVm();
        var standin = fixture.RequireStandin();
        await using var runtime = new TestRuntime(fixture.ImageDirectory);
        var adaptor = await AdaptorProcess.StartAsync(runtime, TimeSpan.Zero);

        var (exitCode, _, stderr) = await RunAsync(standin,
            ["-socket", runtime.HypervisorSocket, "-expect-stdout", "goodbye\n", "-expect-exit", "3", "-deadline", "8m", "--", "sh", "-c", "echo hello; exit 3"]);

        Assert.True(exitCode == 1, $"exit {exitCode}\n{stderr}\n{adaptor.Log}");
        Assert.Contains("the container's stdout was \"hello\\n\", want \"goodbye\\n\"", stderr, StringComparison.Ordinal);
        Assert.Contains("StopVM ok", stderr, StringComparison.Ordinal);
        Assert.Empty(runtime.Vms());
    }

    [Fact]
    public async Task GoShimStandin_PodVmImageMissing_StartVmErrorReachesTheShimAndTheSandboxIsStopped()
    {
        fixture.RequireVm();
        var standin = fixture.RequireStandin();
        await using var runtime = new TestRuntime(fixture.ImageDirectory);
        var adaptor = await AdaptorProcess.StartAsync(runtime, TimeSpan.Zero);
        var missing = Path.Combine(runtime.Root, "no-such-image");

        var (exitCode, stdout, stderr) = await RunAsync(standin, ["-socket", runtime.HypervisorSocket, "-image-dir", missing, "-deadline", "3m"]);

        Assert.True(exitCode == 1, $"exit {exitCode}\n{stderr}\n{adaptor.Log}");
        Assert.Empty(stdout);
        Assert.Contains("shim-standin: FAIL: hypervisor.Hypervisor/StartVM: ", stderr, StringComparison.Ordinal);
        Assert.Contains(missing, stderr, StringComparison.Ordinal);
        Assert.Contains("StopVM ok", stderr, StringComparison.Ordinal);
        Assert.Empty(runtime.Vms());
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string path, string[] args)
    {
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {path}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WithTimeout(TimeSpan.FromMinutes(9));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
