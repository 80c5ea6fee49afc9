using Grpc.Core;
using PodVm.CloudApiAdaptor.Lifecycle;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.CloudApiAdaptor.Tests.Fakes;
using PodVm.Protocols.Agent;

namespace PodVm.CloudApiAdaptor.Tests.Lifecycle;

public sealed class PodManagerTests
{
    [Fact]
    public async Task CreateVm_ValidRequest_ReturnsAgentSocketPathAndPersistsRecord()
    {
        await using var harness = await AdaptorHarness.StartAsync();

        var path = await harness.Pods.CreateVmAsync("sb1", AdaptorHarness.Annotations(), null, CancellationToken.None).DefaultTimeout();

        Assert.Equal(Path.Combine(harness.Options.PodsDirectory, "sb1", "agent.ttrpc"), path);
        Assert.True(File.Exists(Path.Combine(harness.StateDirectory, "pods", "sb1.json")));
        Assert.Empty(harness.Provider.Creates);
        var record = Assert.Single(harness.Pods.Snapshot());
        Assert.Equal(PodState.Created, record.State);
        Assert.Equal("small", record.InstanceTypeName);
    }

    [Fact]
    public async Task CreateVm_SameSandboxTwice_ReturnsSamePath()
    {
        await using var harness = await AdaptorHarness.StartAsync();

        var first = await harness.Pods.CreateVmAsync("sb1", AdaptorHarness.Annotations(), null, CancellationToken.None).DefaultTimeout();
        var second = await harness.Pods.CreateVmAsync("sb1", AdaptorHarness.Annotations(), null, CancellationToken.None).DefaultTimeout();

        Assert.Equal(first, second);
        Assert.Single(harness.Pods.Snapshot());
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("")]
    [InlineData(".hidden")]
    public async Task CreateVm_UnsafeSandboxId_ThrowsInvalidRequest(string sandboxId)
    {
        await using var harness = await AdaptorHarness.StartAsync();

        var ex = await Assert.ThrowsAsync<AdaptorException>(() => harness.Pods.CreateVmAsync(sandboxId, AdaptorHarness.Annotations(), null, CancellationToken.None)).DefaultTimeout();

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }

    [Fact]
    public async Task StartVm_HealthyForwarder_ProxyListensAndAgentAnsweredBeforeReturn()
    {
        await using var harness = await AdaptorHarness.StartAsync();

        var path = await harness.CreateAndStartAsync("sb1");

        Assert.True(File.Exists(path));
        Assert.True(harness.Forwarder.HealthChecks >= 1);
        Assert.Equal(0, harness.Forwarder.RejectedClients);
        var create = Assert.Single(harness.Provider.Creates);
        Assert.Equal("sb1", create.Tags[InstanceTags.SandboxId]);
        Assert.Equal("node-a", create.Tags[InstanceTags.Node]);
        Assert.Equal("test", create.Tags[InstanceTags.Cluster]);
        Assert.False(create.UserData.IsEmpty);
        var record = Assert.Single(harness.Pods.Snapshot());
        Assert.Equal(PodState.Running, record.State);
        Assert.Equal("i-1", record.InstanceId);

        await using var shim = await AdaptorHarness.ConnectShimAsync(path);
        var health = await shim.Health.CheckAsync(new CheckRequest()).ResponseAsync.DefaultTimeout();
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task Proxy_AgentDeniesCall_CodeAndMessagePassThroughUnchanged()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        var path = await harness.CreateAndStartAsync("sb1");
        await using var shim = await AdaptorHarness.ConnectShimAsync(path);

        var ex = await Assert.ThrowsAsync<RpcException>(() => shim.Agent.SignalProcessAsync(new SignalProcessRequest { ContainerId = "c1", Signal = 9 }).ResponseAsync).DefaultTimeout();

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Equal(TestAgent.DeniedMessage, ex.Status.Detail);
    }

    [Fact]
    public async Task Proxy_MetadataAndDeadline_ReachTheAgent()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        var path = await harness.CreateAndStartAsync("sb1");
        await using var shim = await AdaptorHarness.ConnectShimAsync(path);
        var deadline = DateTime.UtcNow.AddMinutes(5);

        var response = await shim.Agent.GetGuestDetailsAsync(new GuestDetailsRequest(), new Metadata { { "x-podvm-test", "relayed" } }, deadline).ResponseAsync.DefaultTimeout();

        Assert.Equal(4096UL, response.MemBlockSizeBytes);
        Assert.True(response.SupportMemHotplugProbe);
        Assert.Contains(harness.Forwarder.Agent.LastHeaders!, e => e.Key == "x-podvm-test" && e.Value == "relayed");
        var seen = harness.Forwarder.Agent.LastDeadline;
        Assert.InRange(seen, deadline.AddSeconds(-30), deadline.AddSeconds(1));
    }

    [Fact]
    public async Task Proxy_FiftyConcurrentWaitProcess_AllWaitThenAllAnsweredWithTheirOwnResult()
    {
        const int Calls = 50;
        await using var harness = await AdaptorHarness.StartAsync();
        var path = await harness.CreateAndStartAsync("sb1");
        await using var shim = await AdaptorHarness.ConnectShimAsync(path);

        var calls = Enumerable.Range(1, Calls)
            .Select(i => shim.Agent.WaitProcessAsync(new WaitProcessRequest { ContainerId = "c1", ExecId = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ResponseAsync)
            .ToList();
        for (var i = 0; i < Calls; i++)
        {
            await harness.Forwarder.Agent.WaitEntered.WaitAsync().DefaultTimeout();
        }

        Assert.All(calls, c => Assert.False(c.IsCompleted));
        harness.Forwarder.Agent.ReleaseWaits();
        var results = await Task.WhenAll(calls).DefaultTimeout();

        Assert.Equal(Enumerable.Range(1, Calls), results.Select(r => r.Status));
    }

    [Fact]
    public async Task Proxy_ForwarderConnectionDropped_ReadOnlyCallAnsweredOverAFreshConnection()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        var path = await harness.CreateAndStartAsync("sb1");
        await using var shim = await AdaptorHarness.ConnectShimAsync(path);
        await shim.Health.CheckAsync(new CheckRequest()).ResponseAsync.DefaultTimeout();
        var handshakes = harness.Forwarder.Handshakes;

        harness.Forwarder.DropConnections();
        var health = await shim.Health.CheckAsync(new CheckRequest()).ResponseAsync.DefaultTimeout();
        var details = await shim.Agent.GetGuestDetailsAsync(new GuestDetailsRequest()).ResponseAsync.DefaultTimeout();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal(4096UL, details.MemBlockSizeBytes);
        Assert.Equal(handshakes + 1, harness.Forwarder.Handshakes);
    }

    [Fact]
    public async Task StopVm_ShimConnectionOpenAndIdle_StopCompletesAndShimConnectionCloses()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        var path = await harness.CreateAndStartAsync("sb1");
        await using var shim = await AdaptorHarness.ConnectShimAsync(path);
        await shim.Health.CheckAsync(new CheckRequest()).ResponseAsync.DefaultTimeout();

        // The proxy serves the shim's connection on a thread in a blocking read: stopping must wake it.
        await harness.Pods.StopVmAsync("sb1", CancellationToken.None).DefaultTimeout();
        await shim.Client.Completion.DefaultTimeout();

        Assert.False(shim.Client.IsConnected);
        Assert.Empty(harness.Pods.Snapshot());
    }

    [Fact]
    public async Task StopVm_RunningPod_DeletesInstanceSocketDirectoryAndStateAndIsIdempotent()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        var path = await harness.CreateAndStartAsync("sb1");

        await harness.Pods.StopVmAsync("sb1", CancellationToken.None).DefaultTimeout();

        Assert.Equal(["i-1"], harness.Provider.Deletes);
        Assert.Empty(harness.Provider.Instances);
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
        Assert.False(File.Exists(Path.Combine(harness.StateDirectory, "pods", "sb1.json")));
        Assert.Empty(harness.Pods.Snapshot());

        await harness.Pods.StopVmAsync("sb1", CancellationToken.None).DefaultTimeout();
        Assert.Single(harness.Provider.Deletes);
    }

    [Fact]
    public async Task StopVm_UnknownSandbox_ThrowsNotFound()
    {
        await using var harness = await AdaptorHarness.StartAsync();

        var ex = await Assert.ThrowsAsync<AdaptorException>(() => harness.Pods.StopVmAsync("nope", CancellationToken.None)).DefaultTimeout();

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal("sandbox nope does not exist", ex.Message);
    }

    [Fact]
    public async Task StartVm_UnknownSandbox_ThrowsNotFound()
    {
        await using var harness = await AdaptorHarness.StartAsync();

        var ex = await Assert.ThrowsAsync<AdaptorException>(() => harness.Pods.StartVmAsync("nope", CancellationToken.None)).DefaultTimeout();

        Assert.Equal(AdaptorErrorReason.UnknownSandbox, ex.Reason);
    }

    [Fact]
    public async Task StartVm_ProviderCreateFails_PodFailedAndNothingLeaked()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        harness.Provider.CreateFailure = new ProviderException(ProviderErrorReason.ImageNotFound, "image podvm-missing does not exist");
        var path = await harness.Pods.CreateVmAsync("sb1", AdaptorHarness.Annotations(), null, CancellationToken.None).DefaultTimeout();

        var ex = await Assert.ThrowsAsync<AdaptorException>(() => harness.Pods.StartVmAsync("sb1", CancellationToken.None)).DefaultTimeout();

        Assert.Equal(AdaptorErrorReason.ProviderFailed, ex.Reason);
        Assert.Contains("image podvm-missing does not exist", ex.Message, StringComparison.Ordinal);
        var record = Assert.Single(harness.Pods.Snapshot());
        Assert.Equal(PodState.Failed, record.State);
        Assert.Equal(ex.Message, record.LastError);
        Assert.Empty(harness.Provider.Instances);
        Assert.False(File.Exists(path));
        Assert.Equal(0, harness.Forwarder.Handshakes);

        await harness.Pods.StopVmAsync("sb1", CancellationToken.None).DefaultTimeout();
        Assert.Empty(harness.Pods.Snapshot());
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public async Task StartVm_ForwarderNeverAnswers_DeadlineExceededAndInstanceDeleted()
    {
        await using var harness = await AdaptorHarness.StartAsync(o => o with { DefaultStartTimeout = TimeSpan.FromSeconds(1.5) });
        harness.Forwarder.Silent = true;
        await harness.Pods.CreateVmAsync("sb1", AdaptorHarness.Annotations(), null, CancellationToken.None).DefaultTimeout();

        var ex = await Assert.ThrowsAsync<AdaptorException>(() => harness.Pods.StartVmAsync("sb1", CancellationToken.None)).DefaultTimeout();

        Assert.Equal(AdaptorErrorReason.Timeout, ex.Reason);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Equal(["i-1"], harness.Provider.Deletes);
        Assert.Empty(harness.Provider.Instances);
        var record = Assert.Single(harness.Pods.Snapshot());
        Assert.Equal(PodState.Failed, record.State);
        Assert.Null(record.InstanceId);
    }

    [Fact]
    public async Task StartVm_CallerCancelsDuringCreate_TimeoutAndNothingLeaked()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        harness.Provider.CreateDelay = TimeSpan.FromMinutes(5);
        await harness.Pods.CreateVmAsync("sb1", AdaptorHarness.Annotations(), null, CancellationToken.None).DefaultTimeout();
        using var shimDeadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var ex = await Assert.ThrowsAsync<AdaptorException>(() => harness.Pods.StartVmAsync("sb1", shimDeadline.Token)).DefaultTimeout();

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Empty(harness.Provider.Instances);
        Assert.Equal(PodState.Failed, Assert.Single(harness.Pods.Snapshot()).State);
    }

    [Fact]
    public async Task CreateVm_MaxPodsReached_ThrowsResourceExhausted()
    {
        await using var harness = await AdaptorHarness.StartAsync(o => o with { MaxPods = 1 });
        await harness.Pods.CreateVmAsync("sb1", AdaptorHarness.Annotations("one"), null, CancellationToken.None).DefaultTimeout();

        var ex = await Assert.ThrowsAsync<AdaptorException>(() => harness.Pods.CreateVmAsync("sb2", AdaptorHarness.Annotations("two"), null, CancellationToken.None)).DefaultTimeout();

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("MaxPods=1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_RunningPod_ReattachedOnTheSameAgentSocket()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        var path = await harness.CreateAndStartAsync("sb1");

        await harness.RestartAsync();

        var record = Assert.Single(harness.Pods.Snapshot());
        Assert.Equal(PodState.Running, record.State);
        Assert.Equal("i-1", record.InstanceId);
        Assert.Single(harness.Provider.Creates);
        Assert.Empty(harness.Provider.Deletes);
        Assert.Single(harness.Provider.Instances);
        await using var shim = await AdaptorHarness.ConnectShimAsync(path);
        var health = await shim.Health.CheckAsync(new CheckRequest()).ResponseAsync.DefaultTimeout();
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        await harness.Pods.StopVmAsync("sb1", CancellationToken.None).DefaultTimeout();
        Assert.Empty(harness.Provider.Instances);
        Assert.Empty(harness.Pods.Snapshot());
    }

    [Fact]
    public async Task Restart_RunningPod_ObserverToldAboutTheInstanceAgain()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        await harness.CreateAndStartAsync("sb1");

        await harness.RestartAsync();

        // Once at StartVM, once at the re-attach: a PeerPod lost while the adaptor was down is written again.
        Assert.Equal(["created sb1 i-1", "created sb1 i-1"], harness.Observer.Calls);
        Assert.Equal(PodState.Running, Assert.Single(harness.Pods.Snapshot()).State);
    }

    [Fact]
    public async Task Restart_SeveralRunningPods_EachReattachedAndReported()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        var first = await harness.CreateAndStartAsync("sb1", "web");
        var second = await harness.CreateAndStartAsync("sb2", "api");

        await harness.RestartAsync();

        Assert.All(harness.Pods.Snapshot(), r => Assert.Equal(PodState.Running, r.State));
        Assert.Equal(2, harness.Pods.Snapshot().Count);
        Assert.Equal(["created sb1 i-1", "created sb1 i-1", "created sb2 i-2", "created sb2 i-2"], harness.Observer.Calls.Order(StringComparer.Ordinal));
        foreach (var path in new[] { first, second })
        {
            await using var shim = await AdaptorHarness.ConnectShimAsync(path);
            var health = await shim.Health.CheckAsync(new CheckRequest()).ResponseAsync.DefaultTimeout();
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }
    }

    [Fact]
    public async Task Restart_RunningPodWhosePodWentAway_InstanceDeletedAndMarkedFailed()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        await harness.CreateAndStartAsync("sb1");
        harness.Observer.PodGone = true;

        await harness.RestartAsync();

        var record = Assert.Single(harness.Pods.Snapshot());
        Assert.Equal(PodState.Failed, record.State);
        Assert.Contains("no longer exists", record.LastError, StringComparison.Ordinal);
        Assert.Equal(["i-1"], harness.Provider.Deletes);
        Assert.Empty(harness.Provider.Instances);
        Assert.Equal("deleted sb1 i-1", harness.Observer.Calls.Last());
    }

    [Fact]
    public async Task Restart_RunningPodWhoseVmIsGone_MarkedFailed()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        await harness.CreateAndStartAsync("sb1");
        await harness.Provider.DeleteInstanceAsync("i-1", CancellationToken.None).DefaultTimeout();

        await harness.RestartAsync();

        var record = Assert.Single(harness.Pods.Snapshot());
        Assert.Equal(PodState.Failed, record.State);
        Assert.Contains("i-1", record.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_StartingRecordOnDisk_InstanceDeletedAndPodFailed()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        harness.Provider.Add(new ProviderInstance
        {
            Id = "i-crashed",
            Name = "podvm-web-sb1",
            State = InstanceState.Running,
            Addresses = [new InstanceAddress("127.0.0.1", harness.Forwarder.Port, AddressKind.HostForward)],
            Tags = new Dictionary<string, string>(harness.Pods.OwnerTags) { [InstanceTags.SandboxId] = "sb1" },
        });
        var store = new PodStateStore(harness.StateDirectory, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        store.Save(new PodRecord
        {
            SandboxId = "sb1",
            PodName = "web",
            PodNamespace = "default",
            InstanceName = "podvm-web-sb1",
            InstanceTypeName = "small",
            State = PodState.Starting,
            InstanceId = "i-crashed",
            ForwarderHost = "127.0.0.1",
            ForwarderPort = harness.Forwarder.Port,
        });

        await harness.RestartAsync();

        Assert.Contains("i-crashed", harness.Provider.Deletes);
        Assert.Empty(harness.Provider.Instances);
        var record = Assert.Single(harness.Pods.Snapshot());
        Assert.Equal(PodState.Failed, record.State);
        Assert.Contains("restarted", record.LastError, StringComparison.Ordinal);
        Assert.False(harness.Pods.Claims("sb1"));
    }

    [Fact]
    public async Task Restart_StartingRecordWithoutInstanceId_FindsInstanceByTagAndDeletesIt()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        harness.Provider.Add(new ProviderInstance
        {
            Id = "i-unrecorded",
            Name = "podvm-web-sb2",
            State = InstanceState.Pending,
            Addresses = [],
            Tags = new Dictionary<string, string>(harness.Pods.OwnerTags) { [InstanceTags.SandboxId] = "sb2" },
        });
        new PodStateStore(harness.StateDirectory, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Save(new PodRecord
        {
            SandboxId = "sb2",
            PodName = "web",
            PodNamespace = "default",
            InstanceName = "podvm-web-sb2",
            InstanceTypeName = "small",
            State = PodState.Starting,
        });

        await harness.RestartAsync();

        Assert.Equal(["i-unrecorded"], harness.Provider.Deletes);
        Assert.Equal(PodState.Failed, Assert.Single(harness.Pods.Snapshot()).State);
    }

    [Fact]
    public async Task GetInstanceId_RunningPod_ReturnsProviderId()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        await harness.CreateAndStartAsync("sb1", "api");

        var id = await harness.Pods.GetInstanceIdAsync("api", "default", wait: true, CancellationToken.None).DefaultTimeout();

        Assert.Equal("i-1", id);
    }

    [Fact]
    public void InstanceName_LongPodName_DnsLabelWithSandboxSuffix()
    {
        var name = PodManager.InstanceName(new string('A', 80) + "_x", "0123456789abcdef");

        Assert.True(name.Length <= 63);
        Assert.StartsWith("podvm-aaaa", name, StringComparison.Ordinal);
        Assert.EndsWith("-01234567", name, StringComparison.Ordinal);
        Assert.Matches("^[a-z0-9-]+$", name);
    }
    [Fact]
    public async Task StartVm_ForwarderTrustsAnotherCa_AgentUnreachableUntilDeadlineAndInstanceDeleted()
    {
        await using var harness = await AdaptorHarness.StartAsync(o => o with { DefaultStartTimeout = TimeSpan.FromSeconds(3) });
        var stranger = Path.Combine(harness.Root, "other-ca");
        using var otherCa = PodVm.CloudApiAdaptor.Tls.ForwarderCertificateAuthority.LoadOrCreate(stranger, TimeProvider.System);
        await using var impostor = new FakeForwarder(otherCa);
        harness.Provider.ForwarderPort = impostor.Port;
        await harness.Pods.CreateVmAsync("sb1", AdaptorHarness.Annotations(), null, CancellationToken.None).DefaultTimeout();

        var ex = await Assert.ThrowsAsync<AdaptorException>(() => harness.Pods.StartVmAsync("sb1", CancellationToken.None)).DefaultTimeout();

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Equal(0, impostor.HealthChecks);
        Assert.Empty(harness.Provider.Instances);
    }

    [Fact]
    public async Task GetInstanceId_WaitWhileStarting_CompletesWhenRunning()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        harness.Provider.CreateDelay = TimeSpan.FromMilliseconds(200);
        await harness.Pods.CreateVmAsync("sb1", AdaptorHarness.Annotations("api"), null, CancellationToken.None).DefaultTimeout();

        var waiting = harness.Pods.GetInstanceIdAsync("api", "default", wait: true, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        await harness.Pods.StartVmAsync("sb1", CancellationToken.None).DefaultTimeout();

        Assert.Equal("i-1", await waiting.DefaultTimeout());
    }
}
