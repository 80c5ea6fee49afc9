using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PodVm.Kbs.Interop.Tests;

/// <summary>Runs python/rcar_client.py with Debian's /usr/bin/python3 (not a pyenv python on PATH), one step at a time.</summary>
internal sealed class PythonRcarClient(Uri kbs)
{
    public const string Python = "/usr/bin/python3";

    public string StateDirectory { get; } = Directory.CreateTempSubdirectory("podvm-rcar-py").FullName;

    /// <summary>Skips the test unless Debian's python3 with jwcrypto and cryptography is installed.</summary>
    public static async Task RequirePythonAsync()
    {
        if (!File.Exists(Python))
        {
            Assert.Skip($"{Python} is missing (apt-get install python3 python3-jwcrypto python3-cryptography)");
        }

        var (code, _, _) = await RunAsync(["-c", "import jwcrypto.jwe, cryptography"]);
        if (code != 0)
        {
            Assert.Skip("python3-jwcrypto / python3-cryptography are not installed for /usr/bin/python3");
        }
    }

    public async Task<JsonObject> StepAsync(params string[] step)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "python", "rcar_client.py");
        var (code, stdout, stderr) = await RunAsync([script, "--url", kbs.ToString(), "--state", StateDirectory, .. step]);
        Assert.True(code == 0, $"rcar_client.py {string.Join(' ', step)} exited {code}: {stderr}");
        return (JsonObject)JsonNode.Parse(stdout)!;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().DefaultTimeout();
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
