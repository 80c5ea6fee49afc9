using System.Diagnostics;
using System.Text;
using PodVm.LocalKvmProvider;

[assembly: AssemblyFixture(typeof(PodVm.Cli.Tests.CliFixture))]
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace PodVm.Cli.Tests;

/// <summary>
/// Once per test run: `podvm image build` (the real command, run as a process) with the guest programs into this
/// project's own image directory, sharing the kernel and publish caches. Tests then run the CLI against it.
/// </summary>
public sealed class CliFixture : IAsyncLifetime
{
    private string? _skip;
    private string? _buildFailure;

    public string ImageDirectory { get; } = Path.Combine(Home, "images", "cli-tests");

    /// <summary>podvm.dll, the CLI this test project references (copied beside the tests with its runtimeconfig).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "podvm.dll");

    public static string Home => PodVmPaths.HomeOrTemp;

    public async ValueTask InitializeAsync()
    {
        if (Requires.FindOnPath("qemu-system-x86_64") is null)
        {
            _skip = "qemu-system-x86_64 is not installed (Debian package qemu-system-x86; run scripts/install-prerequisites.sh)";
            return;
        }

        var build = await RunCliAsync(["image", "build", "--output", ImageDirectory], TimeSpan.FromMinutes(25), CancellationToken.None);
        if (build.ExitCode != 0)
        {
            _buildFailure = $"podvm image build failed ({build.ExitCode}):\n{build.StandardOutput}\n{build.StandardError}";
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Skips when no pod VM can be booted here; fails when the image build failed.</summary>
    public void RequireImage()
    {
        if (_skip is { } reason)
        {
            Assert.Skip(reason);
        }

        Assert.True(_buildFailure is null, _buildFailure);
    }

    /// <summary>Runs <c>dotnet podvm.dll ARGS</c>, kills it at the deadline, returns its exit code and output.</summary>
    public static async Task<CliResult> RunCliAsync(IReadOnlyList<string> args, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(CliDll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            var partial = new StringBuilder().Append(await stdout).Append('\n').Append(await stderr);
            Assert.Fail($"podvm {string.Join(' ', args)} did not finish within {deadline}:\n{partial}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
