using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using PodVm.Cli.Bench;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.LocalKvmProvider;
using PodVm.LocalKvmProvider.Provider;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Hypervisor;
using PodVm.Protocols.Ttrpc;
using HypervisorClient = PodVm.Protocols.Hypervisor.Hypervisor.HypervisorClient;

namespace PodVm.Cli.Commands;

/// <summary>
/// <c>podvm bench pod</c>: CreateVM + StartVM through the adaptor's hypervisor service (ttrpc over its unix socket, a
/// new connection per call, as the Kata shim does) until the guest agent answers grpc.Health/Check through the
/// adaptor's agent proxy, beside the local provider's bare CreateInstance to guest-ready of the same image, interleaved
/// in one run.
/// </summary>
internal static class BenchPodCommand
{
    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "Pods of each kind (median reported; at least 5).", DefaultValueFactory = _ => 5 };
        var image = new Option<string>("--image") { Description = $"Pod VM image directory (default {PodVmPaths.DefaultImage})." };
        var memory = new Option<int>("--memory") { Description = "Guest memory in MiB (default_memory; the adaptor picks the smallest local type that fits).", DefaultValueFactory = _ => 256 };
        var pod = new Command("pod", "Median CreateVM+StartVM to agent Check through the adaptor (as the shim does it) vs the provider's bare create-to-ready.") { runs, image, memory };
        pod.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var count = Math.Max(5, parseResult.GetValue(runs));
            var memoryMiB = parseResult.GetValue(memory);
            var imageDirectory = Path.GetFullPath(parseResult.GetValue(image) ?? PodVmPaths.DefaultImage);
            if (!File.Exists(Path.Combine(imageDirectory, "manifest.json")))
            {
                await error.WriteLineAsync($"podvm bench pod: no image in {imageDirectory}; run 'podvm image build'.");
                return 1;
            }

            // Short: the agent socket is <runtime>/pods/<64 hex sandbox id>/agent.ttrpc, and a unix socket path has
            // at most 108 bytes.
            var runtime = Directory.CreateTempSubdirectory("pvbp-").FullName;
            var socket = Path.Combine(runtime, "hypervisor.sock");
            var app = await InProcessAdaptor.StartAsync(runtime, socket, $"podvm-bench-pod-{Environment.ProcessId}", new Dictionary<string, string?>(), error, cancellationToken);
            if (app is null)
            {
                Directory.Delete(runtime, recursive: true);
                return 2;
            }

            var options = new LocalKvmProviderOptions
            {
                StateDirectory = Path.Combine(PodVmPaths.Home, "bench", "vms"),
                LogDirectory = Path.Combine(PodVmPaths.Home, "bench", "logs"),
                ImageDirectory = imageDirectory,
            };
            var bare = new List<double>();
            var viaAdaptor = new List<double>();
            var startVm = new List<double>();
            try
            {
                await using var provider = VmCommand.CreateProvider(error, options);
                if (provider is null)
                {
                    return 2;
                }

                output.WriteLine($"podvm bench pod: {count} runs each, interleaved; {provider.Accelerator}, {memoryMiB} MiB, image {imageDirectory}");
                for (var i = 1; i <= count; i++)
                {
                    var bareSeconds = await ProviderBootAsync(provider, memoryMiB, i, cancellationToken);
                    bare.Add(bareSeconds);
                    var (total, start) = await AdaptorBootAsync(TtrpcEndpoint.Unix(socket), imageDirectory, memoryMiB, cancellationToken);
                    viaAdaptor.Add(total);
                    startVm.Add(start);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {i}: provider CreateInstance to ready {bareSeconds:F2} s; CreateVM+StartVM+Check through the adaptor {total:F2} s (StartVM returned after {start:F2} s)"));
                }
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
                Directory.Delete(runtime, recursive: true);
            }

            var bareMedian = BenchTable.Median(bare);
            var adaptorMedian = BenchTable.Median(viaAdaptor);
            output.WriteLine();
            output.WriteLine("| measure | median | runs |");
            output.WriteLine("|---|---|---|");
            output.WriteLine(BenchTable.Row("provider CreateInstance to guest ready (bare)", bare));
            output.WriteLine(BenchTable.Row("adaptor CreateVM+StartVM (StartVM returns)", startVm));
            output.WriteLine(BenchTable.Row("adaptor CreateVM+StartVM to agent Check answered through the proxy", viaAdaptor));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the adaptor path adds {adaptorMedian - bareMedian:F2} s ({(adaptorMedian / bareMedian - 1) * 100:F0}%) to the provider's bare boot-to-ready"));
            return 0;
        });
        return pod;
    }

    private static async Task<double> ProviderBootAsync(LocalKvmProvider.Provider.LocalKvmProvider provider, int memoryMiB, int run, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var instance = await provider.CreateInstanceAsync(
            new CreateInstanceRequest
            {
                SandboxId = $"bench-pod-{Environment.ProcessId}-{run}",
                InstanceName = $"podvm-bench-pod-{run}",
                InstanceType = new InstanceType("bench", 1, memoryMiB),
                UserData = StandaloneUserData.Create($"podvm-bench-pod-{run}", $"bench-pod-{run}"),
                Tags = new Dictionary<string, string>(StringComparer.Ordinal) { [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue },
            },
            cancellationToken);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        await provider.DeleteInstanceAsync(instance.Id, cancellationToken);
        return seconds;
    }

    /// <summary>Seconds from CreateVM to the agent's Check answer, and from CreateVM to StartVM's return.</summary>
    private static async Task<(double Total, double StartVm)> AdaptorBootAsync(TtrpcEndpoint hypervisor, string imageDirectory, int memoryMiB, CancellationToken cancellationToken)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var create = new CreateVMRequest { Id = id, NetworkNamespacePath = string.Empty };
        const string prefix = "io.katacontainers.config.hypervisor.";
        create.Annotations["io.kubernetes.cri.sandbox-name"] = "podvm-bench-pod";
        create.Annotations["io.kubernetes.cri.sandbox-namespace"] = "default";
        create.Annotations[prefix + "machine_type"] = string.Empty;
        create.Annotations[prefix + "image"] = imageDirectory;
        create.Annotations[prefix + "default_vcpus"] = "1";
        create.Annotations[prefix + "default_memory"] = memoryMiB.ToString(CultureInfo.InvariantCulture);
        create.Annotations[prefix + "cc_init_data"] = string.Empty;
        create.Annotations[prefix + "default_gpus"] = "0";
        create.Annotations[prefix + "default_gpu_model"] = string.Empty;

        var stopwatch = Stopwatch.StartNew();
        var agentSocket = (await CallAsync(hypervisor, c => c.CreateVMAsync(create, cancellationToken: cancellationToken).ResponseAsync)).AgentSocketPath;
        try
        {
            await CallAsync(hypervisor, c => c.StartVMAsync(new StartVMRequest { Id = id }, deadline: DateTime.UtcNow.AddMinutes(10), cancellationToken: cancellationToken).ResponseAsync);
            var startVm = stopwatch.Elapsed.TotalSeconds;
            await using var agent = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(agentSocket), null, cancellationToken);
            await new Health.HealthClient(agent.CreateCallInvoker()).CheckAsync(new CheckRequest(), deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: cancellationToken);
            return (stopwatch.Elapsed.TotalSeconds, startVm);
        }
        finally
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await CallAsync(hypervisor, c => c.StopVMAsync(new StopVMRequest { Id = id }, cancellationToken: cleanup.Token).ResponseAsync);
            }
            catch (RpcException)
            {
                // The run's own failure (if any) is the one worth reporting; StopVM is idempotent and the adaptor's
                // stop at the end of the bench deletes what is left.
            }
        }
    }

    // remote.go dials the hypervisor socket afresh for every call.
    private static async Task<T> CallAsync<T>(TtrpcEndpoint hypervisor, Func<HypervisorClient, Task<T>> call)
    {
        await using var connection = await TtrpcClient.ConnectAsync(hypervisor);
        return await call(new HypervisorClient(connection.CreateCallInvoker()));
    }

}
