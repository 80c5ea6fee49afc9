using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace PodVm.Cli.Tests;

/// <summary>The README's two main jobs, run as the user runs them: the podvm CLI as a process, real pod VMs.</summary>
public sealed partial class RunTests(CliFixture fixture)
{
    private static readonly TimeSpan RunDeadline = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task Run_BusyboxShell_PrintsContainerOutputTimingsAndExitsWithItsCode()
    {
        fixture.RequireImage();

        var result = await CliFixture.RunCliAsync(
            ["run", "--podvm-image", fixture.ImageDirectory, "busybox", "--", "sh", "-c", "echo hello from a pod VM; echo to stderr >&2; exit 3"],
            RunDeadline, TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 3, $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");
        Assert.Equal("hello from a pod VM\n", result.StandardOutput);
        Assert.Contains("to stderr", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("boot VM (StartVM)", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("start container", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAttest_ContainerFetchesDemoSecret_ItsDigestIsTheOneTheBrokerStoredAndNoLogShowsIt()
    {
        fixture.RequireImage();

        var result = await CliFixture.RunCliAsync(
            ["run", "--attest", "--podvm-image", fixture.ImageDirectory, "busybox", "--", "wget", "-qO-", "http://127.0.0.1:8006/cdh/resource/default/demo/secret"],
            RunDeadline, TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");
        var announced = SecretDigest().Match(result.StandardError);
        Assert.True(announced.Success, result.StandardError);
        Assert.Equal(announced.Groups[1].Value, Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(result.StandardOutput))));
        Assert.DoesNotContain(result.StandardOutput.Trim(), result.StandardError, StringComparison.Ordinal);
        Assert.Contains("DEVELOPMENT TEE", result.StandardError, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"secret default/demo/secret, sha256 ([0-9a-f]{64})")]
    private static partial Regex SecretDigest();
}
