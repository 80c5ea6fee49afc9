using Google.Protobuf;
using Grpc.Core;
using PodVm.Protocols.Agent;
using static PodVm.GuestAgent.Integration.Tests.PodRequests;

namespace PodVm.GuestAgent.Integration.Tests;

/// <summary>The pod sequence a Kata shim drives, against the agent in a booted pod VM, through the forwarder's mTLS.</summary>
public sealed class PodSequenceTests(PodVmFixture vm)
{
    private AgentService.AgentServiceClient Agent => vm.Agent;

    [Fact]
    public async Task Version_ThroughForwarder_ReportsAgentAndProtocol()
    {
        var health = new Health.HealthClient(vm.Require().CreateCallInvoker());

        var version = await health.VersionAsync(new CheckRequest()).ResponseAsync.WithTimeout(Long);
        var details = await Agent.GetGuestDetailsAsync(new GuestDetailsRequest()).ResponseAsync.WithTimeout(Long);

        Assert.False(string.IsNullOrEmpty(version.AgentVersion));
        Assert.Contains("image_guest_pull", details.AgentDetails.StorageHandlers);
    }

    [Fact]
    public async Task CreateContainer_Echo_OutputReadByHostAndExitZero()
    {
        await StartAsync(Agent, "echo", ["/bin/sh", "-c", "echo hello-from-container; hostname"]);

        var output = await ReadTextAsync(Agent, "echo");
        var error = await ReadTextAsync(Agent, "echo", stderr: true);

        Assert.Equal($"hello-from-container\n{PodVmFixture.SandboxHostname}\n", output);
        Assert.Equal(string.Empty, error);
        Assert.Equal(0, await WaitAsync(Agent, "echo"));
        await RemoveAsync(Agent, "echo");
    }

    [Fact]
    public async Task WriteStdin_ContainerReadsInput_EchoesItBack()
    {
        await StartAsync(Agent, "stdin", ["/bin/cat"]);

        var written = await Agent.WriteStdinAsync(new WriteStreamRequest { ContainerId = "stdin", Data = ByteString.CopyFromUtf8("line one\nline two\n") }).ResponseAsync.WithTimeout(Long);
        await Agent.CloseStdinAsync(new CloseStdinRequest { ContainerId = "stdin" }).ResponseAsync.WithTimeout(Long);

        Assert.Equal(18u, written.Len);
        Assert.Equal("line one\nline two\n", await ReadTextAsync(Agent, "stdin"));
        Assert.Equal(0, await WaitAsync(Agent, "stdin"));
        await RemoveAsync(Agent, "stdin");
    }

    [Fact]
    public async Task WaitProcess_ContainerExits3_ReturnsThree()
    {
        await StartAsync(Agent, "exit3", ["/bin/sh", "-c", "exit 3"]);

        await ReadAllAsync(Agent, "exit3", string.Empty);

        Assert.Equal(3, await WaitAsync(Agent, "exit3"));
        await RemoveAsync(Agent, "exit3");
    }

    [Fact]
    public async Task SignalProcess_Sigterm_Returns143()
    {
        // The init of a container's PID namespace cannot be killed by an unhandled SIGTERM (the agent sends SIGKILL
        // then, as Kata's does), so the process killed by SIGTERM is one exec'd into the container.
        await StartAsync(Agent, "term", ["sleep", "100000"]);
        await Agent.ExecProcessAsync(new ExecProcessRequest { ContainerId = "term", ExecId = "sleeper", Process = Exec("sleep", "100000") }).ResponseAsync.WithTimeout(Long);

        await Agent.SignalProcessAsync(new SignalProcessRequest { ContainerId = "term", ExecId = "sleeper", Signal = 15 }).ResponseAsync.WithTimeout(Long);

        Assert.Equal(143, await WaitAsync(Agent, "term", "sleeper"));
        await Agent.SignalProcessAsync(new SignalProcessRequest { ContainerId = "term", Signal = 15 }).ResponseAsync.WithTimeout(Long);
        Assert.Equal(137, await WaitAsync(Agent, "term"));
        await RemoveAsync(Agent, "term");
    }

    [Fact]
    public async Task GetOOMEvent_MemoryLimitExceeded_EventNamesContainer()
    {
        var oom = Agent.GetOOMEventAsync(new GetOOMEventRequest()).ResponseAsync;
        await StartAsync(Agent, "oom", ["/bin/sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo ${#x}"], memoryLimitBytes: 16L * 1024 * 1024);

        var oomEvent = await oom.WithTimeout(Long);

        Assert.Equal("oom", oomEvent.ContainerId);
        await ReadAllAsync(Agent, "oom", string.Empty);
        Assert.NotEqual(0, await WaitAsync(Agent, "oom"));
        await RemoveAsync(Agent, "oom");
    }

    [Fact]
    public async Task ExecProcess_RunningContainer_OutputAndExitCode()
    {
        await StartAsync(Agent, "execme", ["sleep", "100000"]);

        await Agent.ExecProcessAsync(new ExecProcessRequest { ContainerId = "execme", ExecId = "e1", Process = Exec("/bin/sh", "-c", "echo exec-output; echo exec-error >&2; exit 7") }).ResponseAsync.WithTimeout(Long);

        Assert.Equal("exec-output\n", await ReadTextAsync(Agent, "execme", "e1"));
        Assert.Equal("exec-error\n", await ReadTextAsync(Agent, "execme", "e1", stderr: true));
        Assert.Equal(7, await WaitAsync(Agent, "execme", "e1"));
        await RemoveAsync(Agent, "execme");
    }

    [Fact]
    public async Task StatsContainer_RunningContainer_ReportsCgroupUsage()
    {
        await StartAsync(Agent, "stats", ["sleep", "100000"]);

        var stats = await Agent.StatsContainerAsync(new StatsContainerRequest { ContainerId = "stats" }).ResponseAsync.WithTimeout(Long);

        Assert.True(stats.CgroupStats.MemoryStats.Usage.Usage > 0, "memory usage");
        Assert.True(stats.CgroupStats.PidsStats.Current >= 1, "pids");
        await RemoveAsync(Agent, "stats");
    }

    [Fact]
    public async Task RemoveContainer_Running_GoneAfterwards()
    {
        await StartAsync(Agent, "remove", ["sleep", "100000"]);

        await RemoveAsync(Agent, "remove");

        var e = await Assert.ThrowsAsync<RpcException>(() => Agent.StatsContainerAsync(new StatsContainerRequest { ContainerId = "remove" }).ResponseAsync).WithTimeout(Long);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task DestroySandbox_RunningContainers_AllRemovedAndAgentServes()
    {
        await StartAsync(Agent, "doomed", ["sleep", "100000"]);

        await Agent.DestroySandboxAsync(new DestroySandboxRequest()).ResponseAsync.WithTimeout(Long);

        var e = await Assert.ThrowsAsync<RpcException>(() => Agent.StatsContainerAsync(new StatsContainerRequest { ContainerId = "doomed" }).ResponseAsync).WithTimeout(Long);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal(0, await MetricAsync(Agent, "kata_agent_containers"));

        // The sandbox can be made again (the other tests share this VM).
        await Agent.CreateSandboxAsync(new CreateSandboxRequest { Hostname = PodVmFixture.SandboxHostname, SandboxId = "guest-it" }).ResponseAsync.WithTimeout(Long);
        await StartAsync(Agent, "reborn", ["/bin/sh", "-c", "echo again"]);
        Assert.Equal("again\n", await ReadTextAsync(Agent, "reborn"));
        await RemoveAsync(Agent, "reborn");
    }

    [Fact]
    public async Task SetPolicy_ForbidsExecProcess_PermissionDeniedNamingRuleWhileRestWorks()
    {
        await StartAsync(Agent, "policy", ["sleep", "100000"]);
        await Agent.SetPolicyAsync(new SetPolicyRequest { Policy = """{"version":"1","methods":{"ExecProcess":"deny"}}""" }).ResponseAsync.WithTimeout(Long);
        try
        {
            var e = await Assert.ThrowsAsync<RpcException>(() =>
                Agent.ExecProcessAsync(new ExecProcessRequest { ContainerId = "policy", ExecId = "denied", Process = Exec("/bin/true") }).ResponseAsync).WithTimeout(Long);

            Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
            Assert.Contains("methods.ExecProcess", e.Status.Detail, StringComparison.Ordinal);
            var stats = await Agent.StatsContainerAsync(new StatsContainerRequest { ContainerId = "policy" }).ResponseAsync.WithTimeout(Long);
            Assert.NotNull(stats.CgroupStats);
            await StartAsync(Agent, "policy-echo", ["/bin/sh", "-c", "echo still-works"]);
            Assert.Equal("still-works\n", await ReadTextAsync(Agent, "policy-echo"));
            Assert.Equal(0, await WaitAsync(Agent, "policy-echo"));
            await RemoveAsync(Agent, "policy-echo");
        }
        finally
        {
            await Agent.SetPolicyAsync(new SetPolicyRequest { Policy = """{"version":"1"}""" }).ResponseAsync.WithTimeout(Long);
            await RemoveAsync(Agent, "policy");
        }
    }

    [Fact]
    public async Task ReadStdout_Container100MiB_AllBytesArriveAndAgentMemoryStaysBounded()
    {
        const long Total = 100L * 1024 * 1024;
        var peakBefore = await MetricAsync(Agent, "kata_agent_process_resident_memory_peak_bytes");
        await StartAsync(Agent, "flood", ["/bin/sh", "-c", $"head -c {Total} /dev/zero"]);

        long received = 0;
        var nonZero = false;
        await DrainAsync(Agent, "flood", string.Empty, stderr: false, chunk =>
        {
            received += chunk.Length;
            nonZero |= chunk.Span.ContainsAnyExcept((byte)0);
        });

        Assert.Equal(Total, received);
        Assert.False(nonZero);
        Assert.Equal(0, await WaitAsync(Agent, "flood"));
        var peakAfter = await MetricAsync(Agent, "kata_agent_process_resident_memory_peak_bytes");

        // Bounded: the agent buffers at most 1 MiB per stream plus replies in flight; 100 MiB held anywhere would show.
        Assert.InRange(peakAfter - peakBefore, 0, 48L * 1024 * 1024);
        await RemoveAsync(Agent, "flood");
    }
}
