using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using PodVm.Kubernetes.PeerPods;
using PodVm.Kubernetes.Tests.ApiServer;

namespace PodVm.Kubernetes.Tests.PeerPods;

public sealed class PeerPodRecorderTests : IAsyncLifetime
{
    private FakeApiServer _server = null!;
    private IKubernetes _client = null!;
    private PeerPodRecorder _recorder = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync().DefaultTimeout();
        _client = _server.CreateClient();
        _recorder = new PeerPodRecorder(_client, NullLogger<PeerPodRecorder>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    internal static PeerPodRecord Record(string pod = "web-1", string instance = "i-0abc", string provider = "aws", string? node = "worker-1") => new()
    {
        PodNamespace = "default",
        PodName = pod,
        SandboxId = "3F2A9C1D5E6B7A8C",
        CloudProvider = provider,
        InstanceId = instance,
        NodeName = node,
    };

    [Fact]
    public async Task RecordAsync_LivePod_CreatesOwnedPeerPodWithFinalizer()
    {
        var pod = _server.Seed("pods", Objects.Pod("default", "web-1"));

        var peerPod = await _recorder.RecordAsync(Record(), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal("web-1-resource-3f2a9c1d", peerPod.Metadata.Name);
        var stored = _server.Get("peerpods", "default", "web-1-resource-3f2a9c1d")!;
        Assert.Equal("aws", (string?)stored["spec"]!["cloudProvider"]);
        Assert.Equal("i-0abc", (string?)stored["spec"]!["instanceID"]);
        Assert.Equal(PeerPodNames.Finalizer, (string?)stored["metadata"]!["finalizers"]![0]);
        var owner = stored["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal((string?)pod["metadata"]!["uid"], (string?)owner["uid"]);
        Assert.Equal("Pod", (string?)owner["kind"]);
        Assert.True((bool)owner["controller"]! && (bool)owner["blockOwnerDeletion"]!);
        Assert.Equal("worker-1", (string?)stored["metadata"]!["labels"]![PeerPodNames.NodeLabel]);
    }

    [Fact]
    public async Task RecordAsync_Twice_ReturnsTheExistingRecord()
    {
        _server.Seed("pods", Objects.Pod("default", "web-1"));
        var first = await _recorder.RecordAsync(Record(), TestContext.Current.CancellationToken).DefaultTimeout();

        var second = await _recorder.RecordAsync(Record(), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal(first.Metadata.Uid, second.Metadata.Uid);
        Assert.Single(_server.List("peerpods"));
    }

    [Fact]
    public async Task RecordAsync_PodGone_ThrowsPodNotFound()
    {
        var ex = await Assert.ThrowsAsync<KubernetesIntegrationException>(() => _recorder.RecordAsync(Record(), TestContext.Current.CancellationToken)).DefaultTimeout();

        Assert.Equal(KubernetesErrorReason.PodNotFound, ex.Reason);
        Assert.Contains("default/web-1", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_server.List("peerpods"));
    }

    [Fact]
    public async Task RecordAsync_Forbidden_ThrowsForbidden()
    {
        _server.Seed("pods", Objects.Pod("default", "web-1"));
        _server.FailNext("POST /apis/confidentialcontainers.org", 1, 403);

        var ex = await Assert.ThrowsAsync<KubernetesIntegrationException>(() => _recorder.RecordAsync(Record(), TestContext.Current.CancellationToken)).DefaultTimeout();

        Assert.Equal(KubernetesErrorReason.Forbidden, ex.Reason);
    }

    [Fact]
    public async Task ReleaseAsync_RecordedPeerPod_RemovesFinalizerAndDeletes()
    {
        _server.Seed("pods", Objects.Pod("default", "web-1"));
        await _recorder.RecordAsync(Record(), TestContext.Current.CancellationToken).DefaultTimeout();

        var released = await _recorder.ReleaseAsync(Record(), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.True(released);
        Assert.Empty(_server.List("peerpods"));
        Assert.False(await _recorder.ReleaseAsync(Record(), TestContext.Current.CancellationToken).DefaultTimeout());
    }

    [Fact]
    public async Task ReleaseAsync_ConcurrentWriter_RetriesAfterConflict()
    {
        _server.Seed("pods", Objects.Pod("default", "web-1"));
        await _recorder.RecordAsync(Record(), TestContext.Current.CancellationToken).DefaultTimeout();
        _server.ConcurrentWritesBeforeNextPuts(2);

        Assert.True(await _recorder.ReleaseAsync(Record(), TestContext.Current.CancellationToken).DefaultTimeout());

        Assert.Equal(2, _server.Conflicts);
        Assert.Empty(_server.List("peerpods"));
    }

    [Fact]
    public void PeerPodName_LongPodName_StaysWithin253()
    {
        var record = Record(pod: new string('a', 260));

        Assert.Equal(253, record.PeerPodName.Length);
        Assert.EndsWith("-resource-3f2a9c1d", record.PeerPodName, StringComparison.Ordinal);
    }
}
