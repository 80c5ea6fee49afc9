using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PodVm.Attester.Tests.Integration;

/// <summary>The podvm-attester program itself (the managed build beside the tests): flags, the endpoint, SIGTERM.</summary>
public sealed partial class AttesterProcessTests
{
    /// <summary>Starting a .NET process on a loaded shared machine (JIT, several test projects in parallel) can take long.</summary>
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Main_NoKbsThenSigterm_Answers503AndExitsZero()
    {
        using var dir = new TempDirectory();
        var dll = Path.Combine(AppContext.BaseDirectory, "podvm-attester.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "--listen", "127.0.0.1:0", "--cdh-config", dir.Combine("cdh.toml"), "--aa-config", dir.Combine("aa.toml"),
            "--side-channel", dir.Combine("side"), "--tsm-root", dir.Combine("tsm"), "--sev-guest", dir.Combine("sev"), "--initdata", dir.Combine("initdata") })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            var endpoint = await ReadListeningEndpointAsync(process).WaitAsync(ProcessTimeout);
            using var http = new HttpClient { BaseAddress = new Uri($"http://{endpoint}") };

            using var response = await http.GetAsync("/cdh/resource/default/key/1").WaitAsync(ProcessTimeout);
            Assert.Equal(503, (int)response.StatusCode);
            Assert.Contains("initdata configured no KBS", await response.Content.ReadAsStringAsync().DefaultTimeout());

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            {
                await kill.WaitForExitAsync().DefaultTimeout();
            }

            await process.WaitForExitAsync().WaitAsync(ProcessTimeout);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task Main_BadFlag_ExitsTwoWithTheFlagNamed()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "podvm-attester.dll"));
        start.ArgumentList.Add("--tee");
        start.ArgumentList.Add("sgx");
        using var process = Process.Start(start)!;

        var stderr = await process.StandardError.ReadToEndAsync().WaitAsync(ProcessTimeout);
        await process.WaitForExitAsync().WaitAsync(ProcessTimeout);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--tee 'sgx'", stderr);
    }

    private static async Task<string> ReadListeningEndpointAsync(Process process)
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            var match = Listening().Match(line);
            if (match.Success)
            {
                return match.Groups[1].Value;
            }
        }

        throw new InvalidOperationException("podvm-attester exited before listening: " + await process.StandardError.ReadToEndAsync());
    }

    [GeneratedRegex(@"listening on http://([0-9.]+:[0-9]+)")]
    private static partial Regex Listening();
}
