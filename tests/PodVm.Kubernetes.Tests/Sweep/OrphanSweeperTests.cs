using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.Kubernetes.Events;
using PodVm.Kubernetes.PeerPods;
using PodVm.Kubernetes.Sweep;
using PodVm.Kubernetes.Tests.ApiServer;
using PodVm.Kubernetes.Tests.PeerPods;

namespace PodVm.Kubernetes.Tests.Sweep;

public sealed class OrphanSweeperTests : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);
    private readonly FakeCloudProvider _aws = new("aws");
    private readonly FakeCloudProvider _azure = new("azure");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private FakeApiServer _server = null!;
    private IKubernetes _client = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync().DefaultTimeout();
        _client = _server.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private OrphanSweeper Sweeper(string? node = null) => new(
        _client, [_aws, _azure], new OrphanSweepOptions { ClusterName = "c1", NodeName = node, GracePeriod = Grace, Interval = TimeSpan.FromMinutes(5) },
        new EventPoster(_client, new EventPosterOptions { NodeName = node }, NullLogger<EventPoster>.Instance, _time),
        NullLogger<OrphanSweeper>.Instance, _time);

    [Fact]
    public async Task SweepOnce_UnclaimedAfterGrace_DeletesAndPostsEvents()
    {
        // claimed by a PeerPod (its pod is gone, but the finalizer controller owns that case)
        _server.Seed("pods", Objects.Pod("default", "recorded"));
        await new PeerPodRecorder(_client, NullLogger<PeerPodRecorder>.Instance)
            .RecordAsync(PeerPodRecorderTests.Record("recorded", "i-claimed"), TestContext.Current.CancellationToken).DefaultTimeout();
        _aws.Add("i-claimed", Objects.Tags("c1", "default", "recorded"));
        // claimed by a live pod (StartVM in progress: the PeerPod is not written yet)
        _server.Seed("pods", Objects.Pod("default", "starting", phase: "Pending"));
        _aws.Add("i-starting", Objects.Tags("c1", "default", "starting"));
        // orphans: pod gone; pod finished; no pod tags at all (azure)
        _aws.Add("i-gone", Objects.Tags("c1", "default", "gone"));
        _server.Seed("pods", Objects.Pod("batch", "done", phase: "Succeeded"));
        _aws.Add("i-done", Objects.Tags("c1", "batch", "done"));
        _azure.Add("vm-untagged", Objects.Tags("c1", node: "worker-9"));
        // another cluster's instance: never touched
        _aws.Add("i-other-cluster", Objects.Tags("c2", "default", "gone"));
        var sweeper = Sweeper();

        var first = await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        _time.Advance(Grace - TimeSpan.FromSeconds(1));
        var second = await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        _time.Advance(TimeSpan.FromSeconds(1));
        var third = await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal(5, first.InstancesSeen);
        Assert.Equal(2, first.Claimed);
        Assert.Empty(first.Deleted);
        Assert.Equal(3, first.Waiting.Count);
        Assert.Empty(second.Deleted);
        Assert.Equal(["i-done", "i-gone", "vm-untagged"], third.Deleted.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["i-done", "i-gone"], _aws.Deleted.Order(StringComparer.Ordinal));
        Assert.Equal(["vm-untagged"], _azure.Deleted);
        Assert.True(_aws.Has("i-claimed") && _aws.Has("i-starting") && _aws.Has("i-other-cluster"));
        Assert.All(_aws.ListFilters, f =>
        {
            Assert.Equal(InstanceTags.ManagedByValue, f[InstanceTags.ManagedBy]);
            Assert.Equal("c1", f[InstanceTags.Cluster]);
            Assert.False(f.ContainsKey(InstanceTags.Node));
        });

        var events = _server.List("events");
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal("PodVmOrphanDeleted", (string?)e["reason"]));
        var onPod = Assert.Single(events, e => (string?)e["involvedObject"]!["name"] == "gone");
        Assert.Equal(("Pod", "default"), ((string?)onPod["involvedObject"]!["kind"], (string?)onPod["metadata"]!["namespace"]));
        Assert.Contains("i-gone", (string?)onPod["message"], StringComparison.Ordinal);
        var onNode = Assert.Single(events, e => (string?)e["involvedObject"]!["kind"] == "Node");
        Assert.Equal("worker-9", (string?)onNode["involvedObject"]!["name"]);
    }

    [Fact]
    public async Task SweepOnce_OrphanReclaimedDuringGrace_IsKept()
    {
        _aws.Add("i-late", Objects.Tags("c1", "default", "late"));
        var sweeper = Sweeper();
        await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken).DefaultTimeout();

        _server.Seed("pods", Objects.Pod("default", "late"));
        _time.Advance(Grace);
        var result = await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Empty(result.Deleted);
        Assert.Equal(1, result.Claimed);
        Assert.True(_aws.Has("i-late"));
    }

    [Fact]
    public async Task SweepOnce_YoungInstance_WaitsForItsOwnAgeToo()
    {
        var sweeper = Sweeper();
        await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        _time.Advance(Grace);
        _aws.Add("i-new", Objects.Tags("c1", "default", "nobody"), createdAt: _time.GetUtcNow());

        var result = await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Empty(result.Deleted);
        Assert.Single(result.Waiting);
    }

    [Fact]
    public async Task SweepOnce_NodeScoped_FiltersByNodeTag()
    {
        var sweeper = Sweeper(node: "worker-1");

        await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal("worker-1", Assert.Single(_aws.ListFilters)[InstanceTags.Node]);
    }

    [Fact]
    public async Task SweepOnce_ProviderListFails_ReportsItAndSweepsTheOthers()
    {
        _aws.ListFailure = new ProviderException(ProviderErrorReason.Throttled, "slow down");
        _azure.Add("vm-1", Objects.Tags("c1", "default", "gone"));
        var sweeper = Sweeper();
        await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        _time.Advance(Grace);

        var result = await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal(["aws"], result.FailedProviders);
        Assert.Equal(["vm-1"], _azure.Deleted);
    }

    [Fact]
    public async Task SweepOnce_PeerPodsUnreadable_DeletesNothing()
    {
        _aws.Add("i-x", Objects.Tags("c1", "default", "gone"));
        var sweeper = Sweeper();
        await sweeper.SweepOnceAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        _time.Advance(Grace);
        _server.FailNext("GET /apis/confidentialcontainers.org/v1alpha1/peerpods", 1);

        await Assert.ThrowsAsync<KubernetesIntegrationException>(() => sweeper.SweepOnceAsync(TestContext.Current.CancellationToken)).DefaultTimeout();

        Assert.Empty(_aws.Deleted);
    }

    [Fact]
    public async Task RunAsync_SweepsEveryInterval()
    {
        _aws.Add("i-loop", Objects.Tags("c1", "default", "gone"));
        using var stop = new CancellationTokenSource();
        var sweeps = new SemaphoreSlim(0);
        var sweeper = Sweeper();
        var results = new List<SweepResult?>();
        sweeper.Swept += r =>
        {
            lock (results)
            {
                results.Add(r);
            }

            sweeps.Release();
        };
        var running = sweeper.RunAsync(stop.Token);
        await sweeps.WaitAsync().DefaultTimeout();

        _time.Advance(TimeSpan.FromMinutes(5));
        await sweeps.WaitAsync().DefaultTimeout();
        _time.Advance(TimeSpan.FromMinutes(5));
        await sweeps.WaitAsync().DefaultTimeout();

        Assert.Equal([0, 0, 1], results.Select(r => r!.Deleted.Count));
        Assert.Equal("i-loop", await _aws.FirstDelete.Task.DefaultTimeout());
        await stop.CancelAsync();
        await running.DefaultTimeout();
    }
}
