using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using PodVm.Kubernetes.PeerPods;

namespace PodVm.Kubernetes.Tests.ApiServer;

/// <summary>The stand-in behaves like the API server where the code under test depends on it.</summary>
public sealed class FakeApiServerTests : IAsyncLifetime
{
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

    private static PeerPod NewPeerPod(string name, params string[] finalizers) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Finalizers = finalizers },
        Spec = new PeerPodSpec { CloudProvider = "aws", InstanceId = "i-1" },
    };

    [Fact]
    public async Task Replace_StaleResourceVersion_Returns409()
    {
        var created = await _client.CustomObjects.CreateNamespacedCustomObjectAsync<PeerPod>(
            NewPeerPod("a"), PeerPodNames.Group, PeerPodNames.Version, "default", PeerPodNames.Plural, cancellationToken: TestContext.Current.CancellationToken).DefaultTimeout();
        var stale = KubernetesJson.Deserialize<PeerPod>(KubernetesJson.Serialize(created));
        created.Metadata.Labels = new Dictionary<string, string> { ["x"] = "1" };
        await _client.CustomObjects.ReplaceNamespacedCustomObjectAsync<PeerPod>(
            created, PeerPodNames.Group, PeerPodNames.Version, "default", PeerPodNames.Plural, "a", cancellationToken: TestContext.Current.CancellationToken).DefaultTimeout();

        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CustomObjects.ReplaceNamespacedCustomObjectAsync<PeerPod>(
            stale, PeerPodNames.Group, PeerPodNames.Version, "default", PeerPodNames.Plural, "a", cancellationToken: TestContext.Current.CancellationToken)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Conflict, ex.Response.StatusCode);
    }

    [Fact]
    public async Task Delete_WithFinalizer_SetsDeletionTimestampUntilFinalizerRemoved()
    {
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync<PeerPod>(
            NewPeerPod("b", PeerPodNames.Finalizer), PeerPodNames.Group, PeerPodNames.Version, "default", PeerPodNames.Plural, cancellationToken: TestContext.Current.CancellationToken).DefaultTimeout();

        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync(PeerPodNames.Group, PeerPodNames.Version, "default", PeerPodNames.Plural, "b", cancellationToken: TestContext.Current.CancellationToken).DefaultTimeout();

        var deleting = await _client.CustomObjects.GetNamespacedCustomObjectAsync<PeerPod>(PeerPodNames.Group, PeerPodNames.Version, "default", PeerPodNames.Plural, "b", TestContext.Current.CancellationToken).DefaultTimeout();
        Assert.NotNull(deleting.Metadata.DeletionTimestamp);
        deleting.Metadata.Finalizers = [];
        await _client.CustomObjects.ReplaceNamespacedCustomObjectAsync<PeerPod>(
            deleting, PeerPodNames.Group, PeerPodNames.Version, "default", PeerPodNames.Plural, "b", cancellationToken: TestContext.Current.CancellationToken).DefaultTimeout();
        Assert.Null(_server.Get("peerpods", "default", "b"));
    }

    [Fact]
    public async Task Watch_FromCompactedVersion_Gets410()
    {
        var list = await _client.CustomObjects.ListClusterCustomObjectAsync<PeerPodList>(
            PeerPodNames.Group, PeerPodNames.Version, PeerPodNames.Plural, cancellationToken: TestContext.Current.CancellationToken).DefaultTimeout();
        _server.Seed("peerpods", KubernetesJson.Deserialize<System.Text.Json.Nodes.JsonObject>(KubernetesJson.Serialize(NewPeerPod("c"))));
        _server.CompactHistory();

        Exception? error = null;
        var events = 0;
        await foreach (var _ in _client.CustomObjects.WatchListClusterCustomObjectAsync(
            PeerPodNames.Group, PeerPodNames.Version, PeerPodNames.Plural, resourceVersion: list.Metadata.ResourceVersion,
            onError: e => error = e, cancellationToken: TestContext.Current.CancellationToken))
        {
            events++;
        }

        Assert.Equal(0, events);
        Assert.Equal(410, Assert.IsType<KubernetesException>(error).Status.Code);
    }

    [Fact]
    public async Task Watch_FromListVersion_StreamsLaterChangesInOrder()
    {
        var list = await _client.CustomObjects.ListClusterCustomObjectAsync<PeerPodList>(
            PeerPodNames.Group, PeerPodNames.Version, PeerPodNames.Plural, cancellationToken: TestContext.Current.CancellationToken).DefaultTimeout();
        var seen = new List<(WatchEventType, string)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in _client.CustomObjects.WatchListClusterCustomObjectAsync(
                PeerPodNames.Group, PeerPodNames.Version, PeerPodNames.Plural, resourceVersion: list.Metadata.ResourceVersion,
                cancellationToken: TestContext.Current.CancellationToken))
            {
                seen.Add((type, KubernetesJson.Deserialize<PeerPod>(KubernetesJson.Serialize(item)).Metadata.Name));
                if (seen.Count == 3)
                {
                    return;
                }
            }
        });
        await _server.WaitForWatchRequestsAsync(1).DefaultTimeout();

        await _client.CustomObjects.CreateNamespacedCustomObjectAsync<PeerPod>(NewPeerPod("d"), PeerPodNames.Group, PeerPodNames.Version, "default", PeerPodNames.Plural, cancellationToken: TestContext.Current.CancellationToken).DefaultTimeout();
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync<PeerPod>(NewPeerPod("e"), PeerPodNames.Group, PeerPodNames.Version, "default", PeerPodNames.Plural, cancellationToken: TestContext.Current.CancellationToken).DefaultTimeout();
        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync(PeerPodNames.Group, PeerPodNames.Version, "default", PeerPodNames.Plural, "d", cancellationToken: TestContext.Current.CancellationToken).DefaultTimeout();
        await watching.DefaultTimeout();

        Assert.Equal([(WatchEventType.Added, "d"), (WatchEventType.Added, "e"), (WatchEventType.Deleted, "d")], seen);
    }
}
