using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PodVm.Kubernetes.PeerPods;
using PodVm.Kubernetes.Tests.ApiServer;

namespace PodVm.Kubernetes.Tests.PeerPods;

public sealed class PeerPodControllerTests : IAsyncLifetime
{
    private readonly FakeCloudProvider _provider = new("aws");
    private readonly FakeTimeProvider _time = new();
    private readonly CancellationTokenSource _stop = new();
    private FakeApiServer _server = null!;
    private IKubernetes _client = null!;
    private PeerPodRecorder _recorder = null!;
    private PeerPodController? _controller;
    private Task? _running;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync().DefaultTimeout();
        _client = _server.CreateClient();
        _recorder = new PeerPodRecorder(_client, NullLogger<PeerPodRecorder>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running.DefaultTimeout();
        }

        _client.Dispose();
        await _server.DisposeAsync();
        _stop.Dispose();
    }

    private async Task StartAsync(string? nodeName = null)
    {
        _controller = new PeerPodController(_client, [_provider], new PeerPodControllerOptions { NodeName = nodeName, RetryDelay = TimeSpan.FromSeconds(5) },
            NullLogger<PeerPodController>.Instance, _time);
        _running = _controller.RunAsync(_stop.Token);
        await _server.WaitForWatchRequestsAsync(1).DefaultTimeout();
    }

    private async Task<PeerPodRecord> RecordPodAsync(string pod, string instance, string? node = "worker-1")
    {
        _server.Seed("pods", Objects.Pod("default", pod));
        _provider.Add(instance, Objects.Tags("c1", "default", pod));
        var record = PeerPodRecorderTests.Record(pod, instance, node: node) with { SandboxId = instance + "00000000" };
        await _recorder.RecordAsync(record, TestContext.Current.CancellationToken).DefaultTimeout();
        return record;
    }

    [Fact]
    public async Task PodDeleted_WithoutStopVm_InstanceDeletedThenPeerPodGone()
    {
        await StartAsync();
        var record = await RecordPodAsync("web-1", "i-web1");

        _server.Delete("pods", "default", "web-1");

        Assert.Equal("i-web1", await _provider.FirstDelete.Task.DefaultTimeout());
        await _server.WaitUntilAsync(s => s.Get("peerpods", "default", record.PeerPodName) is null).DefaultTimeout();
        Assert.False(_provider.Has("i-web1"));
        Assert.Equal(1, _controller!.ListCount);
    }

    [Fact]
    public async Task PeerPodAlreadyTerminatingAtStart_IsCleanedFromTheList()
    {
        var record = await RecordPodAsync("web-2", "i-web2");
        _server.Delete("pods", "default", "web-2");
        Assert.NotNull(_server.Get("peerpods", "default", record.PeerPodName)!["metadata"]!["deletionTimestamp"]);

        await StartAsync();

        Assert.Equal("i-web2", await _provider.FirstDelete.Task.DefaultTimeout());
        await _server.WaitUntilAsync(s => s.Get("peerpods", "default", record.PeerPodName) is null).DefaultTimeout();
    }

    [Fact]
    public async Task FinalizerRemoval_ConflictingWriters_RereadsAndSucceeds()
    {
        await StartAsync();
        var record = await RecordPodAsync("web-3", "i-web3");
        _server.ConcurrentWritesBeforeNextPuts(3);

        _server.Delete("pods", "default", "web-3");

        await _server.WaitUntilAsync(s => s.Get("peerpods", "default", record.PeerPodName) is null).DefaultTimeout();
        Assert.Equal(3, _server.Conflicts);
        Assert.Equal(["i-web3"], _provider.Deleted);
    }

    [Fact]
    public async Task WatchClosed_ResumesFromLastVersionWithoutRelisting()
    {
        await StartAsync();
        await RecordPodAsync("web-4", "i-web4");

        _server.CloseWatches();
        await _server.WaitForWatchRequestsAsync(2).DefaultTimeout();
        _server.Delete("pods", "default", "web-4");

        Assert.Equal("i-web4", await _provider.FirstDelete.Task.DefaultTimeout());
        Assert.Equal(1, _controller!.ListCount);
        var watches = _server.Requests.Where(r => r.Contains("watch=true", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, watches.Count);
        Assert.True(Version(watches[1]) >= Version(watches[0]));
    }

    [Fact]
    public async Task WatchHistoryCompacted_410Gone_RelistsAndStillCleansUp()
    {
        await StartAsync();
        var record = await RecordPodAsync("web-5", "i-web5");

        // The deletion happens while the controller is not watching, and the history is then compacted away:
        // only a relist can find the terminating PeerPod.
        _server.HoldWatches();
        _server.CloseWatches();
        _server.Delete("pods", "default", "web-5");
        _server.CompactHistory();
        _server.ReleaseWatches();

        Assert.Equal("i-web5", await _provider.FirstDelete.Task.DefaultTimeout());
        await _server.WaitUntilAsync(s => s.Get("peerpods", "default", record.PeerPodName) is null).DefaultTimeout();
        Assert.Equal(2, _controller!.ListCount);
    }

    [Fact]
    public async Task ProviderFails_FinalizerStaysUntilRetrySucceeds()
    {
        _provider.FailNextDeletes(1);
        var attempts = 0;
        await StartAsync();
        var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _controller!.Reconciled += (_, _, done) =>
        {
            if (Interlocked.Increment(ref attempts) == 1 && !done)
            {
                firstAttempt.TrySetResult();
            }
        };
        var record = await RecordPodAsync("web-6", "i-web6");

        _server.Delete("pods", "default", "web-6");
        await firstAttempt.Task.DefaultTimeout();

        var peerPod = _server.Get("peerpods", "default", record.PeerPodName);
        Assert.NotNull(peerPod);
        Assert.Equal(PeerPodNames.Finalizer, (string?)peerPod["metadata"]!["finalizers"]![0]);
        Assert.True(_provider.Has("i-web6"));

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("i-web6", await _provider.FirstDelete.Task.DefaultTimeout());
        await _server.WaitUntilAsync(s => s.Get("peerpods", "default", record.PeerPodName) is null).DefaultTimeout();
    }

    [Fact]
    public async Task NodeScoped_IgnoresOtherNodesPeerPods()
    {
        await StartAsync(nodeName: "worker-1");
        var other = await RecordPodAsync("web-7", "i-web7", node: "worker-2");
        var mine = await RecordPodAsync("web-8", "i-web8", node: "worker-1");

        _server.Delete("pods", "default", "web-7");
        _server.Delete("pods", "default", "web-8");

        Assert.Equal("i-web8", await _provider.FirstDelete.Task.DefaultTimeout());
        await _server.WaitUntilAsync(s => s.Get("peerpods", "default", mine.PeerPodName) is null).DefaultTimeout();
        Assert.NotNull(_server.Get("peerpods", "default", other.PeerPodName));
        Assert.True(_provider.Has("i-web7"));
        Assert.All(_server.Requests.Where(r => r.Contains("/peerpods?", StringComparison.Ordinal)),
            r => Assert.Contains("labelSelector=podvm.io%2Fnode%3Dworker-1", r, StringComparison.Ordinal));
    }

    private static long Version(string request) =>
        long.Parse(request.Split('&', '?').Single(p => p.StartsWith("resourceVersion=", StringComparison.Ordinal))["resourceVersion=".Length..]);
}
