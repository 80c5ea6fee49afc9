using System.Diagnostics;
using System.Text.Json.Nodes;
using PodVm.CloudApiAdaptor;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.Kubernetes.PeerPods;
using PodVm.Kubernetes.Tests.ApiServer;

namespace PodVm.Kubernetes.Tests.Hosting;

/// <summary>
/// The adaptor host with the Kubernetes integration on, against the FakeApiServer: what StartVM, StopVM, a failed
/// start, host start/stop and the sweep do to PeerPods, Events and the node, and what happens when the API server
/// is down.
/// </summary>
public sealed class AdaptorHostKubernetesTests : IAsyncLifetime
{
    private FakeApiServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync().DefaultTimeout();
        _server.Seed("nodes", Objects.Node(AdaptorHostHarness.Node));
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static string PeerPodName(string pod, string sandboxId) => new PeerPodRecord
    {
        PodNamespace = "default",
        PodName = pod,
        SandboxId = sandboxId,
        CloudProvider = "fake",
        InstanceId = "unused",
    }.PeerPodName;

    private IReadOnlyList<JsonObject> EventsWith(string reason) =>
        [.. _server.List("events").Where(e => (string?)e["reason"] == reason)];

    [Fact]
    public async Task StartVm_PodExists_RecordsPeerPodOwnedByThePodWithTheFinalizer()
    {
        var pod = _server.Seed("pods", Objects.Pod("default", "web"));
        await using var host = await AdaptorHostHarness.StartAsync(_server.BaseAddress);

        await host.CreateAndStartAsync("sbx1aaaa0000", "web");

        var instance = Assert.Single(host.Provider.Instances);
        var peerPod = _server.Get("peerpods", "default", PeerPodName("web", "sbx1aaaa0000"));
        Assert.NotNull(peerPod);
        var owner = Assert.Single(peerPod["metadata"]!["ownerReferences"]!.AsArray())!;
        Assert.Equal("Pod", (string?)owner["kind"]);
        Assert.Equal("web", (string?)owner["name"]);
        Assert.Equal((string?)pod["metadata"]!["uid"], (string?)owner["uid"]);
        Assert.True((bool?)owner["controller"]);
        Assert.Contains(PeerPodNames.Finalizer, peerPod["metadata"]!["finalizers"]!.AsArray().Select(f => (string?)f));
        Assert.Equal(instance.Id, (string?)peerPod["spec"]!["instanceID"]);
        Assert.Equal("fake", (string?)peerPod["spec"]!["cloudProvider"]);
        Assert.Equal(AdaptorHostHarness.Node, (string?)peerPod["spec"]!["nodeName"]);
        Assert.Equal(AdaptorHostHarness.Node, (string?)peerPod["metadata"]!["labels"]![PeerPodNames.NodeLabel]);
        Assert.Empty(_server.List("events"));
    }

    [Fact]
    public async Task StopVm_AfterStart_DeletesInstanceAndReleasesPeerPod()
    {
        _server.Seed("pods", Objects.Pod("default", "web"));
        await using var host = await AdaptorHostHarness.StartAsync(_server.BaseAddress);
        await host.CreateAndStartAsync("sbx2bbbb0000", "web");
        var instance = Assert.Single(host.Provider.Instances);

        await host.Pods.StopVmAsync("sbx2bbbb0000", CancellationToken.None).DefaultTimeout();

        Assert.Contains(instance.Id, host.Provider.Deletes);
        Assert.Null(_server.Get("peerpods", "default", PeerPodName("web", "sbx2bbbb0000")));
        Assert.Contains(_server.Requests, r => r.StartsWith("DELETE /apis/confidentialcontainers.org/v1alpha1/namespaces/default/peerpods/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartVm_PodDoesNotExist_FailsAndDeletesTheInstance()
    {
        await using var host = await AdaptorHostHarness.StartAsync(_server.BaseAddress);
        await host.Pods.CreateVmAsync("sbx3cccc0000", AdaptorHostHarness.Annotations("vanished"), null, CancellationToken.None).DefaultTimeout();

        var error = await Assert.ThrowsAsync<AdaptorException>(() => host.Pods.StartVmAsync("sbx3cccc0000", CancellationToken.None)).DefaultTimeout();

        Assert.Contains("default/vanished", error.Message, StringComparison.Ordinal);
        Assert.Contains("no longer exists", error.Message, StringComparison.Ordinal);
        var created = Assert.Single(host.Provider.Creates);
        Assert.Single(host.Provider.Deletes);
        Assert.Empty(host.Provider.Instances);
        Assert.Equal(0, host.Forwarder.Handshakes);
        Assert.Empty(_server.List("peerpods"));
        Assert.Empty(_server.List("events"));
        Assert.Equal("sbx3cccc0000", created.SandboxId);
    }

    [Fact]
    public async Task StartVm_ProviderQuotaExceeded_PostsPodVmQuotaExceededEventOnThePod()
    {
        var pod = _server.Seed("pods", Objects.Pod("shop", "cart"));
        await using var host = await AdaptorHostHarness.StartAsync(_server.BaseAddress);
        host.Provider.CreateFailure = new ProviderException(ProviderErrorReason.QuotaExceeded, "vCPU quota of 32 used up in us-east-2");
        await host.Pods.CreateVmAsync("sbx4dddd0000", AdaptorHostHarness.Annotations("cart", "shop"), null, CancellationToken.None).DefaultTimeout();

        await Assert.ThrowsAsync<AdaptorException>(() => host.Pods.StartVmAsync("sbx4dddd0000", CancellationToken.None)).DefaultTimeout();

        var evt = Assert.Single(EventsWith("PodVmQuotaExceeded"));
        Assert.Equal("Warning", (string?)evt["type"]);
        Assert.Equal("shop", (string?)evt["metadata"]!["namespace"]);
        Assert.Equal("cart", (string?)evt["involvedObject"]!["name"]);
        Assert.Equal((string?)pod["metadata"]!["uid"], (string?)evt["involvedObject"]!["uid"]);
        Assert.Contains("vCPU quota of 32 used up", (string?)evt["message"], StringComparison.Ordinal);
        Assert.Equal(AdaptorHostHarness.Node, (string?)evt["source"]!["host"]);
        Assert.Empty(_server.List("peerpods"));
    }

    [Fact]
    public async Task CreateVm_MalformedAnnotation_PostsEventOnThePod()
    {
        _server.Seed("pods", Objects.Pod("default", "big"));
        await using var host = await AdaptorHostHarness.StartAsync(_server.BaseAddress);
        var annotations = AdaptorHostHarness.Annotations("big");
        annotations[CloudApiAdaptor.Configuration.PodAnnotations.VCpusKey] = "many";

        var error = await Assert.ThrowsAsync<AdaptorException>(() => host.Pods.CreateVmAsync("sbx5eeee0000", annotations, null, CancellationToken.None)).DefaultTimeout();

        var evt = Assert.Single(EventsWith("PodVmFailed"));
        Assert.Equal("big", (string?)evt["involvedObject"]!["name"]);
        Assert.Contains(error.Message, (string?)evt["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_StartThenGracefulStop_AdvertisesThenWithdrawsNodeCapacity()
    {
        var host = await AdaptorHostHarness.StartAsync(_server.BaseAddress, new Dictionary<string, string?> { ["Adaptor:MaxPods"] = "7" });
        await using (host)
        {
            var capacity = _server.Get("nodes", "", AdaptorHostHarness.Node)!["status"]!["capacity"]!;
            Assert.Equal("7", (string?)capacity[PeerPodNames.ExtendedResource]);

            await host.StopAsync();

            capacity = _server.Get("nodes", "", AdaptorHostHarness.Node)!["status"]!["capacity"]!;
            Assert.Null(capacity[PeerPodNames.ExtendedResource]);
            Assert.Equal("110", (string?)capacity["pods"]);
        }
    }

    [Fact]
    public async Task Sweep_InstanceWithNoPeerPodAndNoPod_IsDeletedAfterTheGracePeriodWithAnEvent()
    {
        var grace = TimeSpan.FromMilliseconds(600);
        _server.Seed("pods", Objects.Pod("default", "alive"));
        var watch = Stopwatch.StartNew();
        await using var host = await AdaptorHostHarness.StartAsync(_server.BaseAddress, new Dictionary<string, string?>
        {
            ["Kubernetes:SweepInterval"] = "00:00:00.100",
            ["Kubernetes:SweepGracePeriod"] = grace.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        });
        var old = DateTimeOffset.UtcNow.AddHours(-1);
        host.Provider.Add(Instance("i-orphan", "ghost", old));
        host.Provider.Add(Instance("i-claimed", "alive", old));

        await _server.WaitUntilAsync(s => s.List("events").Any(e => (string?)e["reason"] == "PodVmOrphanDeleted")).DefaultTimeout();

        Assert.True(watch.Elapsed >= grace, $"deleted after {watch.Elapsed}, before the grace period of {grace}");
        Assert.Equal(["i-orphan"], host.Provider.Deletes);
        Assert.Contains(host.Provider.Instances, i => i.Id == "i-claimed");
        var evt = Assert.Single(EventsWith("PodVmOrphanDeleted"));
        Assert.Equal("ghost", (string?)evt["involvedObject"]!["name"]);
        Assert.Contains("i-orphan", (string?)evt["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiServerDown_PodLifecycleStillWorks_AndTheFailuresAreLogged()
    {
        await using var host = await AdaptorHostHarness.StartAsync(Kubeconfig.Unreachable());

        await host.CreateAndStartAsync("sbx6ffff0000", "web");
        var instance = Assert.Single(host.Provider.Instances);
        await host.Pods.StopVmAsync("sbx6ffff0000", CancellationToken.None).DefaultTimeout();
        host.Provider.CreateFailure = new ProviderException(ProviderErrorReason.InsufficientCapacity, "no m6a.large left in the zone");
        await host.Pods.CreateVmAsync("sbx7aaaa0000", AdaptorHostHarness.Annotations("web2"), null, CancellationToken.None).DefaultTimeout();
        var error = await Assert.ThrowsAsync<AdaptorException>(() => host.Pods.StartVmAsync("sbx7aaaa0000", CancellationToken.None)).DefaultTimeout();

        Assert.Contains(instance.Id, host.Provider.Deletes);
        Assert.Contains("no m6a.large left", error.Message, StringComparison.Ordinal);
        var logs = host.Logs.Dump();
        Assert.True(host.Logs.Has(9030), "PeerPod not recorded is logged:\n" + logs);
        Assert.True(host.Logs.Has(9031), "PeerPod not released is logged:\n" + logs);
        Assert.True(host.Logs.Has(9010), "the Event that could not be posted is logged:\n" + logs);
        Assert.True(host.Logs.Has(9032), "capacity not advertised is logged:\n" + logs);
    }

    private static ProviderInstance Instance(string id, string pod, DateTimeOffset createdAt) => new()
    {
        Id = id,
        Name = "podvm-" + pod,
        State = InstanceState.Running,
        Addresses = [],
        Tags = new Dictionary<string, string>(Objects.Tags(AdaptorHostHarness.Cluster, "default", pod, AdaptorHostHarness.Node)),
        CreatedAt = createdAt,
    };
}
