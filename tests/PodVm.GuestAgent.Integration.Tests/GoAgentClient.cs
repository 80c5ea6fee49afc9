using System.Diagnostics;

namespace PodVm.GuestAgent.Integration.Tests;

/// <summary>
/// Builds go/agent-client (containerd/ttrpc from Debian, GOPATH mode, offline) once per test run, into this test's
/// output directory, with the Go build cache under the PodVm cache so later runs only link.
/// </summary>
internal static class GoAgentClient
{
    private static readonly Lazy<Task<(int ExitCode, string Output)>> Build = new(BuildAsync);

    public static string BinaryPath => Path.Combine(AppContext.BaseDirectory, "go-agent-client");

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

        var (exitCode, output) = await Build.Value.WaitAsync(TimeSpan.FromMinutes(5));
        Assert.True(exitCode == 0, $"building the Go agent client failed ({exitCode}):\n{output}");
        return BinaryPath;
    }

    private static async Task<(int ExitCode, string Output)> BuildAsync()
    {
        var source = Path.Combine(RepoPaths.RepoRoot, "tests", "PodVm.GuestAgent.Integration.Tests", "go", "agent-client");
        var gopath = Path.Combine(Path.GetTempPath(), "podvm-guest-it-gopath");
        var start = new ProcessStartInfo("go") { WorkingDirectory = source, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "build", "-o", BinaryPath, "." })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GOPATH"] = $"{gopath}:/usr/share/gocode";
        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOFLAGS"] = string.Empty;
        start.Environment["GOPROXY"] = "off";
        start.Environment["GOCACHE"] = Path.Combine(PodVmFixture.Home, "cache", "go-build");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start go");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
