using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using static PodVm.GuestAgent.Integration.Tests.PodRequests;

namespace PodVm.GuestAgent.Integration.Tests;

/// <summary>
/// An independent ttrpc peer (containerd/ttrpc in Go, over Go's crypto/tls with the adaptor's client certificate)
/// drives part of the pod sequence through the forwarder into the agent in the booted VM.
/// </summary>
public sealed class GoInteropTests(PodVmFixture vm)
{
    [Fact]
    public async Task GoTtrpcClient_HealthVersionGuestDetailsReadStdoutWait_ThroughForwarder()
    {
        vm.Require();
        var client = await GoAgentClient.RequireAsync();
        var dir = Directory.CreateTempSubdirectory("podvm-guest-go-").FullName;
        try
        {
            var ca = Path.Combine(dir, "ca.pem");
            var cert = Path.Combine(dir, "client.pem");
            var key = Path.Combine(dir, "client.key");
            await File.WriteAllTextAsync(ca, vm.Ca!.CaCertificatePem);
            await File.WriteAllTextAsync(cert, vm.Ca.ClientCertificate.ExportCertificatePem());
            await File.WriteAllTextAsync(key, vm.Ca.ClientCertificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            await StartAsync(vm.Agent, "go-echo", ["/bin/sh", "-c", "echo hello-from-the-vm; exit 5"]);

            var results = await RunAsync(client, [
                "-addr", $"{vm.ForwarderHost}:{vm.ForwarderPort}", "-server-name", PodVmFixture.InstanceName,
                "-ca", ca, "-cert", cert, "-key", key, "-container", "go-echo", "-timeout", "80s"]);

            Assert.True(results["Check"].GetProperty("ok").GetBoolean(), results["Check"].ToString());
            Assert.Equal(1, results["Check"].GetProperty("value").GetInt32());
            Assert.False(string.IsNullOrEmpty(results["Version"].GetProperty("value").GetString()));
            Assert.Contains("image_guest_pull", results["GetGuestDetails"].GetProperty("value").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("hello-from-the-vm\n", results["ReadStdout"].GetProperty("value").GetString());
            Assert.Contains("eof", results["ReadStdoutEnd"].GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.True(results["WaitProcess"].GetProperty("ok").GetBoolean(), results["WaitProcess"].ToString());
            Assert.Equal(5, results["WaitProcess"].GetProperty("value").GetInt32());
            await RemoveAsync(vm.Agent, "go-echo");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<Dictionary<string, JsonElement>> RunAsync(string binary, string[] args)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("could not start the Go client");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WithTimeout(TimeSpan.FromSeconds(120));
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"the Go client exited {process.ExitCode}:\n{output}\n{await stderr}");
        var results = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var element = JsonDocument.Parse(line).RootElement.Clone();
            results[element.GetProperty("call").GetString()!] = element;
        }

        return results;
    }
}
