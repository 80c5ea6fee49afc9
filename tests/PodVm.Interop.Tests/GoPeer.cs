using System.Diagnostics;

namespace PodVm.Interop.Tests;

/// <summary>
/// Finds the Go ttrpc peer, building it once per test run with tests/interop/go/build.sh (which rebuilds only when
/// a source changed). Tests call <see cref="RequireAsync"/>; when go or Debian's ttrpc sources are missing the test is
/// skipped with the reason, and any other build failure fails the test with the compiler's output.
/// </summary>
internal static class GoPeer
{
    /// <summary>Exit code build.sh uses when go or the ttrpc dev package is missing.</summary>
    private const int MissingPrerequisiteExitCode = 3;

    private static readonly Lazy<Task<BuildResult>> Build = new(BuildAsync);

    public static async Task<string> RequireAsync()
    {
        if (Requires.FindOnPath("go") is null)
        {
            Assert.Skip("'go' is not installed (Debian package golang-go; run scripts/install-prerequisites.sh)");
        }

        if (!Directory.Exists("/usr/share/gocode/src/github.com/containerd/ttrpc"))
        {
            Assert.Skip("containerd/ttrpc Go sources are missing (Debian package golang-github-containerd-ttrpc-dev)");
        }

        var result = await Build.Value.WaitAsync(TimeSpan.FromMinutes(3));
        if (result.ExitCode == MissingPrerequisiteExitCode)
        {
            Assert.Skip(result.Error.Trim());
        }

        Assert.True(result.ExitCode == 0, $"building the Go ttrpc peer failed ({result.ExitCode}):\n{result.Output}\n{result.Error}");
        return result.Path;
    }

    private static async Task<BuildResult> BuildAsync()
    {
        var script = Path.Combine(RepoPaths.RepoRoot, "tests", "interop", "go", "build.sh");
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var stdout = await output;
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new BuildResult(process.ExitCode, lines.Length > 0 ? lines[^1] : string.Empty, stdout, await error);
    }

    private sealed record BuildResult(int ExitCode, string Path, string Output, string Error);
}
