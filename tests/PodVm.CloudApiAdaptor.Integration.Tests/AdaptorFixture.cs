using System.Diagnostics;
using PodVm.LocalKvmProvider;
using PodVm.LocalKvmProvider.Image;

[assembly: AssemblyFixture(typeof(PodVm.CloudApiAdaptor.Integration.Tests.AdaptorFixture))]
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace PodVm.CloudApiAdaptor.Integration.Tests;

/// <summary>
/// Once per test run: builds the pod VM image WITH the guest programs into this project's own output directory
/// (sharing the publish and kernel caches), builds the Go shim stand-in, and finds the CLI built beside the tests.
/// Each test then starts its own adaptor processes on a private runtime directory.
/// </summary>
public sealed class AdaptorFixture : IAsyncLifetime
{
    /// <summary>Exit code of tests/shim-standin/build.sh when go or the ttrpc dev package is missing.</summary>
    private const int MissingPrerequisiteExitCode = 3;

    private string? _imageUnavailable;
    private string? _standinUnavailable;
    private string? _standinError;

    public string ImageDirectory { get; } = Path.Combine(Home, "images", "caa-integration-tests");

    public string? StandinPath { get; private set; }

    /// <summary>podvm.dll, the CLI this test project references (copied to the test output with its runtimeconfig).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "podvm.dll");

    public static string Home => PodVmPaths.HomeOrTemp;

    public async ValueTask InitializeAsync()
    {
        var standin = BuildStandinAsync();
        if (Requires.FindOnPath("qemu-system-x86_64") is null)
        {
            _imageUnavailable = "qemu-system-x86_64 is not installed (Debian package qemu-system-x86; run scripts/install-prerequisites.sh)";
        }
        else
        {
            try
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(25));
                await new ImageBuilder().BuildAsync(
                    new ImageBuildOptions { OutputDirectory = ImageDirectory, CacheDirectory = Path.Combine(Home, "cache"), RepositoryRoot = RepoPaths.RepoRoot },
                    deadline.Token);
            }
            catch (ImageBuildException e) when (e.Reason is ImageBuildErrorReason.MissingTool or ImageBuildErrorReason.MissingPackage)
            {
                _imageUnavailable = $"the pod VM image cannot be built here: {e.Message}";
            }
        }

        await standin;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Skips the calling test when no pod VM can be booted here.</summary>
    public void RequireVm()
    {
        if (_imageUnavailable is { } reason)
        {
            Assert.Skip(reason);
        }

        Assert.True(File.Exists(CliDll), $"the CLI is not beside the tests: {CliDll}");
    }

    /// <summary>The stand-in's path; skips when go or the ttrpc sources are missing, fails on a compile error.</summary>
    public string RequireStandin()
    {
        if (_standinUnavailable is { } reason)
        {
            Assert.Skip(reason);
        }

        Assert.True(_standinError is null, _standinError);
        return StandinPath!;
    }

    private async Task BuildStandinAsync()
    {
        if (Requires.FindOnPath("go") is null)
        {
            _standinUnavailable = "'go' is not installed (Debian package golang-go; run scripts/install-prerequisites.sh)";
            return;
        }

        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepoPaths.RepoRoot, "tests", "shim-standin", "build.sh"));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(deadline.Token);
        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (process.ExitCode == MissingPrerequisiteExitCode)
        {
            _standinUnavailable = (await error).Trim();
        }
        else if (process.ExitCode != 0 || lines.Length == 0)
        {
            _standinError = $"building the shim stand-in failed ({process.ExitCode}):\n{await output}\n{await error}";
        }
        else
        {
            StandinPath = lines[^1];
        }
    }
}
