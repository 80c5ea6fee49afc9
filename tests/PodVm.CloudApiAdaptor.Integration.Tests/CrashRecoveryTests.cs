using System.Security.Cryptography;
using System.Text;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Ttrpc;
using Process = PodVm.Protocols.Agent.Process;

namespace PodVm.CloudApiAdaptor.Integration.Tests;

/// <summary>
/// kill -9 of <c>podvm caa serve</c> while a pod runs: the restarted adaptor re-attaches, the pod stays reachable on
/// the same agent socket, and StopVM then removes everything. And a VM whose pod record was lost is found by its
/// tags and deleted by the reconciler.
/// </summary>
public sealed class CrashRecoveryTests(AdaptorFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task KillAdaptor_PodRunningContainer_RestartedAdaptorServesSameSocketAndStopVmCleansUp()
    {
        fixture.RequireVm();
        await using var runtime = new TestRuntime(fixture.ImageDirectory);
        var first = await AdaptorProcess.StartAsync(runtime, TimeSpan.FromSeconds(1));
        var sandboxId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var agentSocket = await HypervisorCalls.CreateVmAsync(runtime.HypervisorSocket, sandboxId, "crash");
        await HypervisorCalls.StartVmAsync(runtime.HypervisorSocket, sandboxId);
        var containerId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await using (var before = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(agentSocket)).DefaultTimeout())
        {
            var agent = new AgentService.AgentServiceClient(before.CreateCallInvoker());
            await new Health.HealthClient(before.CreateCallInvoker()).CheckAsync(new CheckRequest(), deadline: Deadline(30)).ResponseAsync.WithTimeout(Bound);
            await agent.CreateSandboxAsync(new CreateSandboxRequest { Hostname = "crash", SandboxId = sandboxId }, deadline: Deadline(120)).ResponseAsync.WithTimeout(Bound);
            await agent.CreateContainerAsync(ContainerRequest(containerId, "i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done"), deadline: Deadline(120)).ResponseAsync.WithTimeout(Bound);
            await agent.StartContainerAsync(new StartContainerRequest { ContainerId = containerId }, deadline: Deadline(60)).ResponseAsync.WithTimeout(Bound);
            var firstChunk = await agent.ReadStdoutAsync(Read(containerId)).ResponseAsync.WithTimeout(Bound);
            Assert.StartsWith("tick 0", firstChunk.Data.ToStringUtf8(), StringComparison.Ordinal);
        }

        var vm = Assert.Single(runtime.Vms());
        Assert.NotNull(vm.State);

        await first.KillHard();
        Assert.True(TestRuntime.IsAlive(vm.State), "QEMU must outlive a kill -9 of the adaptor");

        var second = await AdaptorProcess.StartAsync(runtime, TimeSpan.FromSeconds(1));
        Assert.Contains($"recovered sandbox {sandboxId} (Running) after restart: re-attached", second.Log, StringComparison.Ordinal);
        await using (var after = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(agentSocket)).DefaultTimeout())
        {
            var agent = new AgentService.AgentServiceClient(after.CreateCallInvoker());
            var health = await new Health.HealthClient(after.CreateCallInvoker()).CheckAsync(new CheckRequest(), deadline: Deadline(30)).ResponseAsync.WithTimeout(Bound);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

            // The container kept running while no adaptor was there: its later output comes through the same socket.
            var later = new StringBuilder();
            while (!later.ToString().Contains("tick 2", StringComparison.Ordinal))
            {
                later.Append((await agent.ReadStdoutAsync(Read(containerId)).ResponseAsync.WithTimeout(Bound)).Data.ToStringUtf8());
            }

            await agent.SignalProcessAsync(new SignalProcessRequest { ContainerId = containerId, ExecId = containerId, Signal = 9 }, deadline: Deadline(30)).ResponseAsync.WithTimeout(Bound);
            var wait = await agent.WaitProcessAsync(new WaitProcessRequest { ContainerId = containerId, ExecId = containerId }).ResponseAsync.WithTimeout(Bound);
            Assert.Equal(137, wait.Status);
            await agent.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = containerId }, deadline: Deadline(60)).ResponseAsync.WithTimeout(Bound);
            await agent.DestroySandboxAsync(new DestroySandboxRequest(), deadline: Deadline(60)).ResponseAsync.WithTimeout(Bound);
        }

        await HypervisorCalls.StopVmAsync(runtime.HypervisorSocket, sandboxId);

        Assert.False(TestRuntime.IsAlive(vm.State), $"QEMU {vm.State.Pid} still runs after StopVM");
        Assert.False(Directory.Exists(vm.Directory.Path), $"VM directory {vm.Directory.Path} still exists after StopVM");
        Assert.False(File.Exists(agentSocket), $"agent socket {agentSocket} still exists after StopVM");
        Assert.False(Directory.Exists(Path.GetDirectoryName(agentSocket)), "the pod directory still exists after StopVM");
        Assert.Empty(Directory.GetFiles(Path.Combine(runtime.StateDirectory, "pods")));
    }

    [Fact]
    public async Task Reconciler_VmWhosePodRecordWasLost_IsDeletedAfterRestart()
    {
        fixture.RequireVm();
        await using var runtime = new TestRuntime(fixture.ImageDirectory);
        var first = await AdaptorProcess.StartAsync(runtime, TimeSpan.FromSeconds(1));
        var sandboxId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var agentSocket = await HypervisorCalls.CreateVmAsync(runtime.HypervisorSocket, sandboxId, "orphan");
        await HypervisorCalls.StartVmAsync(runtime.HypervisorSocket, sandboxId);
        var vm = Assert.Single(runtime.Vms());
        Assert.NotNull(vm.State);
        Assert.Equal(runtime.ClusterName, vm.State.Tags["podvm.io/cluster"]);

        await first.KillHard();
        File.Delete(Path.Combine(runtime.StateDirectory, "pods", sandboxId + ".json"));
        Assert.True(TestRuntime.IsAlive(vm.State), "QEMU must outlive a kill -9 of the adaptor");

        var second = await AdaptorProcess.StartAsync(runtime, TimeSpan.FromSeconds(1));
        await second.WaitForLineAsync($"reconciler: deleting instance {vm.Directory.Id}", Bound);
        await second.WaitForLineAsync($"VM {vm.Directory.Id} deleted", Bound);
        Assert.False(TestRuntime.IsAlive(vm.State), $"QEMU {vm.State.Pid} still runs after the reconciler deleted its VM");
        Assert.False(Directory.Exists(vm.Directory.Path), $"VM directory {vm.Directory.Path} still exists after the reconciler deleted it");

        // The adaptor never heard of this pod again; its agent socket is not served.
        Assert.False(File.Exists(agentSocket) && CanConnect(agentSocket), "the orphan's agent socket is still served");
    }

    private static DateTime Deadline(int seconds) => DateTime.UtcNow.AddSeconds(seconds);

    private static ReadStreamRequest Read(string containerId) => new() { ContainerId = containerId, ExecId = containerId, Len = 64 * 1024 };

    private static CreateContainerRequest ContainerRequest(string containerId, string script)
    {
        var rootfs = $"/run/kata-containers/{containerId}/rootfs";
        var process = new Process { Cwd = "/", User = new User { UID = 0, GID = 0 } };
        process.Args.Add("sh");
        process.Args.Add("-c");
        process.Args.Add(script);
        process.Env.Add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        var spec = new Spec { Version = "1.1.0", Process = process, Root = new Root { Path = rootfs }, Hostname = "crash", Linux = new Linux() };
        foreach (var ns in new[] { "ipc", "uts", "mount" })
        {
            spec.Linux.Namespaces.Add(new LinuxNamespace { Type = ns });
        }

        var storage = new Storage { Driver = "image_guest_pull", Source = "busybox", MountPoint = rootfs, Fstype = "overlay" };
        storage.DriverOptions.Add("image_guest_pull={\"image\":\"busybox\"}");
        var request = new CreateContainerRequest { ContainerId = containerId, ExecId = containerId, OCI = spec };
        request.Storages.Add(storage);
        return request;
    }

    private static bool CanConnect(string socket)
    {
        try
        {
            using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            s.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
