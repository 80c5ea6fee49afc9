using System.Diagnostics;
using System.Security.Cryptography;
using Grpc.Core;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Hypervisor;
using PodVm.Protocols.Ttrpc;
using HypervisorClient = PodVm.Protocols.Hypervisor.Hypervisor.HypervisorClient;

namespace PodVm.Cli.Run;

/// <summary>
/// Plays the Kata shim's part for one pod with one container, the way remote.go and kata_agent.go do it: a new
/// hypervisor connection per call (CreateVM with all nine annotations, StartVM with a long deadline), then on the
/// agent socket Check, CreateSandbox, GetGuestDetails, CreateContainer (image pulled in the guest), StartContainer,
/// output streams until they end, WaitProcess, and teardown.
/// </summary>
internal sealed class ShimSession(TtrpcEndpoint hypervisor, RunRequest request, TextWriter stdout, TextWriter stderr)
{
    private readonly List<(string Step, TimeSpan Elapsed)> _timings = [];
    private readonly string _sandboxId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public IReadOnlyList<(string Step, TimeSpan Elapsed)> Timings => _timings;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var agentSocket = await Step("create VM", () => CreateVmAsync(cancellationToken));
        var started = false;
        try
        {
            await Step("boot VM (StartVM)", async () =>
            {
                await CallHypervisorAsync(c => c.StartVMAsync(new StartVMRequest { Id = _sandboxId }, deadline: DateTime.UtcNow.Add(request.StartTimeout), cancellationToken: cancellationToken).ResponseAsync);
                return true;
            });
            started = true;
            await using var agentConnection = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(agentSocket), null, cancellationToken);
            var invoker = agentConnection.CreateCallInvoker();
            var agent = new AgentService.AgentServiceClient(invoker);
            var health = new Health.HealthClient(invoker);
            await Step("agent ready", async () =>
            {
                await health.CheckAsync(new CheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
                await agent.CreateSandboxAsync(new CreateSandboxRequest { Hostname = "podvm-run", SandboxId = _sandboxId }, deadline: DateTime.UtcNow.AddMinutes(5), cancellationToken: cancellationToken);
                await agent.GetGuestDetailsAsync(new GuestDetailsRequest { MemBlockSize = true, MemHotplugProbe = true }, deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: cancellationToken);
                return true;
            });

            var containerId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            await Step("start container", async () =>
            {
                await agent.CreateContainerAsync(ContainerRequest(containerId), deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: cancellationToken);
                await agent.StartContainerAsync(new StartContainerRequest { ContainerId = containerId }, deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: cancellationToken);
                return true;
            });

            var exitCode = await Step("run container", async () =>
            {
                // As the real shim: WaitProcess only after both output streams have ended.
                await Task.WhenAll(
                    PumpAsync(agent.ReadStdoutAsync, containerId, stdout, cancellationToken),
                    PumpAsync(agent.ReadStderrAsync, containerId, stderr, cancellationToken));
                var wait = await agent.WaitProcessAsync(new WaitProcessRequest { ContainerId = containerId, ExecId = containerId }, cancellationToken: cancellationToken);
                return wait.Status;
            });

            await Step("remove container and sandbox", async () =>
            {
                await agent.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = containerId }, deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: cancellationToken);
                await agent.DestroySandboxAsync(new DestroySandboxRequest(), deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: cancellationToken);
                return true;
            });
            return exitCode;
        }
        finally
        {
            if (!started || !request.Keep)
            {
                await Step("stop VM", async () =>
                {
                    using var cleanup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                    await CallHypervisorAsync(c => c.StopVMAsync(new StopVMRequest { Id = _sandboxId }, cancellationToken: cleanup.Token).ResponseAsync);
                    return true;
                });
            }
        }
    }

    private static async Task PumpAsync(
        Func<ReadStreamRequest, Metadata?, DateTime?, CancellationToken, AsyncUnaryCall<ReadStreamResponse>> read,
        string containerId, TextWriter output, CancellationToken cancellationToken)
    {
        var sink = output is StreamWriter { BaseStream: { } stream } ? stream : null;
        while (true)
        {
            ReadStreamResponse chunk;
            try
            {
                chunk = await read(new ReadStreamRequest { ContainerId = containerId, ExecId = containerId, Len = 64 * 1024 }, null, null, cancellationToken);
            }
            catch (RpcException)
            {
                // The agent ends a stream with an error (as Kata's does): the process closed it.
                await output.FlushAsync(cancellationToken);
                return;
            }

            if (sink is not null)
            {
                await output.FlushAsync(cancellationToken);
                await sink.WriteAsync(chunk.Data.Memory, cancellationToken);
                await sink.FlushAsync(cancellationToken);
            }
            else
            {
                await output.WriteAsync(chunk.Data.ToStringUtf8());
            }
        }
    }

    private CreateContainerRequest ContainerRequest(string containerId) =>
        BusyboxContainer.Create(containerId, request.Image, request.Command, request.Environment, "podvm-run", request.MemoryLimitMiB);

    private async Task<string> CreateVmAsync(CancellationToken cancellationToken)
    {
        var create = new CreateVMRequest { Id = _sandboxId, NetworkNamespacePath = string.Empty };
        const string prefix = "io.katacontainers.config.hypervisor.";
        create.Annotations["io.kubernetes.cri.sandbox-name"] = request.PodName;
        create.Annotations["io.kubernetes.cri.sandbox-namespace"] = "default";
        create.Annotations[prefix + "machine_type"] = request.InstanceType ?? string.Empty;
        create.Annotations[prefix + "image"] = request.ImageDirectory ?? string.Empty;
        create.Annotations[prefix + "default_vcpus"] = request.VCpus.ToString(System.Globalization.CultureInfo.InvariantCulture);
        create.Annotations[prefix + "default_memory"] = request.MemoryMiB.ToString(System.Globalization.CultureInfo.InvariantCulture);
        create.Annotations[prefix + "cc_init_data"] = request.InitData ?? string.Empty;
        create.Annotations[prefix + "default_gpus"] = "0";
        create.Annotations[prefix + "default_gpu_model"] = string.Empty;
        if (request.Tpm)
        {
            create.Annotations[PodVm.CloudApiAdaptor.Configuration.PodAnnotations.TpmKey] = "true";
        }
        var response = await CallHypervisorAsync(c => c.CreateVMAsync(create, cancellationToken: cancellationToken).ResponseAsync);
        return response.AgentSocketPath;
    }

    // remote.go dials the hypervisor socket afresh for every call.
    private async Task<T> CallHypervisorAsync<T>(Func<HypervisorClient, Task<T>> call)
    {
        await using var connection = await TtrpcClient.ConnectAsync(hypervisor);
        return await call(new HypervisorClient(connection.CreateCallInvoker()));
    }

    private async Task<T> Step<T>(string name, Func<Task<T>> action)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            return await action();
        }
        finally
        {
            _timings.Add((name, watch.Elapsed));
        }
    }
}
