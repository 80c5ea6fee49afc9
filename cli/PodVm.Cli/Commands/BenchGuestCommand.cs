using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using PodVm.Cli.Bench;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.CloudApiAdaptor.Proxy;
using PodVm.CloudApiAdaptor.Tls;
using PodVm.LocalKvmProvider;
using PodVm.LocalKvmProvider.Provider;
using PodVm.Protocols.Agent;

namespace PodVm.Cli.Commands;

/// <summary>
/// <c>podvm bench guest</c>: boots one pod VM with the local provider, reaches its agent through the forwarder's mTLS
/// (the connection the adaptor's proxy uses) and runs <see cref="GuestBenchmark"/>.
/// </summary>
internal static class BenchGuestCommand
{
    private const string InstanceName = "podvm-bench-guest";

    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "Containers (and execs) to time; the median is reported (at least 5).", DefaultValueFactory = _ => 5 };
        var megabytes = new Option<int>("--mib") { Description = "MiB of container stdout to move.", DefaultValueFactory = _ => 100 };
        var image = new Option<string>("--image") { Description = $"Image directory (default {PodVmPaths.DefaultImage})." };
        var memory = new Option<int>("--memory") { Description = "Guest memory in MiB.", DefaultValueFactory = _ => 1024 };
        var command = new Command("guest", "Inside one pod VM: container create-to-first-output vs exec-to-first-output, and stdout through agent + forwarder + TLS vs a pipe in the guest.")
        {
            runs, megabytes, image, memory,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var count = Math.Max(5, parseResult.GetValue(runs));
            var bytes = Math.Max(1, parseResult.GetValue(megabytes)) * 1024L * 1024L;
            var imageDirectory = Path.GetFullPath(parseResult.GetValue(image) ?? PodVmPaths.DefaultImage);
            var work = Directory.CreateTempSubdirectory("podvm-bench-guest-").FullName;
            try
            {
                await using var provider = VmCommand.CreateProvider(error, new LocalKvmProviderOptions
                {
                    StateDirectory = Path.Combine(work, "vms"),
                    LogDirectory = Path.Combine(work, "logs"),
                    ImageDirectory = imageDirectory,
                });
                if (provider is null)
                {
                    return 2;
                }

                output.WriteLine($"podvm bench guest: {provider.Accelerator}, 1 vCPU, {parseResult.GetValue(memory)} MiB, image {imageDirectory}; booting...");
                var instance = await provider.CreateInstanceAsync(
                    new CreateInstanceRequest
                    {
                        SandboxId = "bench-guest-" + Guid.NewGuid().ToString("N"),
                        InstanceName = InstanceName,
                        InstanceType = new InstanceType("local.bench-guest", 1, parseResult.GetValue(memory)),
                        UserData = StandaloneUserData.Create(InstanceName, "bench-guest"),
                        Tags = new Dictionary<string, string>(StringComparer.Ordinal),
                    },
                    cancellationToken);
                try
                {
                    using var ca = ForwarderCertificateAuthority.LoadOrCreate(StandaloneUserData.CaDirectory, TimeProvider.System);
                    await using var forwarder = new ForwarderConnector(instance.Addresses[0].Host, instance.Addresses[0].Port, InstanceName, ca, TimeProvider.System);
                    var client = await ConnectAsync(forwarder, cancellationToken);
                    var agent = new AgentService.AgentServiceClient(client.CreateCallInvoker());
                    await agent.CreateSandboxAsync(new CreateSandboxRequest { Hostname = "bench", SandboxId = "bench-guest" }, deadline: DateTime.UtcNow.AddMinutes(2), cancellationToken: cancellationToken);
                    var result = await new GuestBenchmark(agent, output).RunAsync(count, bytes, cancellationToken);
                    Report(output, result, bytes);
                    return 0;
                }
                catch (RpcException e)
                {
                    await error.WriteLineAsync($"podvm bench guest: {e.StatusCode}: {e.Status.Detail} (console log: {provider.ConsoleLogPath(instance.Id)})");
                    return 1;
                }
                finally
                {
                    await provider.DeleteInstanceAsync(instance.Id, CancellationToken.None);
                }
            }
            catch (ProviderException e)
            {
                await error.WriteLineAsync($"podvm bench guest: {e.Message}");
                return 1;
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        });
        return command;
    }

    /// <summary>The guest reports ready once the forwarder listens; the agent behind it may take a moment more.</summary>
    private static async Task<PodVm.Protocols.Ttrpc.TtrpcClient> ConnectAsync(ForwarderConnector forwarder, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var client = await forwarder.GetClientAsync(cancellationToken);
                await new Health.HealthClient(client.CreateCallInvoker()).CheckAsync(new CheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
                return client;
            }
            catch (RpcException) when (attempt < 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    private static void Report(TextWriter output, GuestBenchmarkResult result, long bytes)
    {
        static string Median(IReadOnlyList<double> values)
        {
            var sorted = values.Order().ToList();
            return string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Count / 2]:F0} ms (min {sorted[0]:F0}, max {sorted[^1]:F0}, n={sorted.Count})");
        }

        var mib = bytes / (1024 * 1024);
        output.WriteLine();
        output.WriteLine("| measure | median / rate | baseline in the same VM and run |");
        output.WriteLine("|---|---|---|");
        output.WriteLine($"| create-to-first-output (CreateContainer + StartContainer + ReadStdout, busybox) | {Median(result.CreateToFirstOutputMs)} | exec-to-first-output (ExecProcess + ReadStdout in a running container): {Median(result.ExecToFirstOutputMs)} |");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {mib} MiB of container stdout through agent + forwarder + TLS | {result.StdoutMiBPerSecond:F1} MiB/s | the same bytes through a pipe in the guest: {result.InGuestPipeMiBPerSecond:F1} MiB/s ({result.InGuestPipeSeconds:F2} s) |"));
    }
}
