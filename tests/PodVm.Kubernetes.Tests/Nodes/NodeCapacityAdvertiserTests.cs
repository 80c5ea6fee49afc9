using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using PodVm.Kubernetes.Nodes;
using PodVm.Kubernetes.Tests.ApiServer;

namespace PodVm.Kubernetes.Tests.Nodes;

public sealed class NodeCapacityAdvertiserTests : IAsyncLifetime
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

    [Fact]
    public async Task AdvertiseAsync_PatchesStatusCapacityKeepingTheRest()
    {
        _server.Seed("nodes", Objects.Node("worker-1"));
        var advertiser = new NodeCapacityAdvertiser(_client, NullLogger<NodeCapacityAdvertiser>.Instance);

        await advertiser.AdvertiseAsync("worker-1", 10, TestContext.Current.CancellationToken).DefaultTimeout();

        var node = await _client.CoreV1.ReadNodeAsync("worker-1", cancellationToken: TestContext.Current.CancellationToken).DefaultTimeout();
        Assert.Equal("10", node.Status.Capacity["kata.peerpods.io/vm"].ToString());
        Assert.Equal("4", node.Status.Capacity["cpu"].ToString());
        Assert.Contains(_server.Requests, r => r.StartsWith("PATCH /api/v1/nodes/worker-1/status", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithdrawAsync_RemovesOnlyTheExtendedResource()
    {
        _server.Seed("nodes", Objects.Node("worker-1"));
        var advertiser = new NodeCapacityAdvertiser(_client, NullLogger<NodeCapacityAdvertiser>.Instance);
        await advertiser.AdvertiseAsync("worker-1", 3, TestContext.Current.CancellationToken).DefaultTimeout();

        await advertiser.WithdrawAsync("worker-1", TestContext.Current.CancellationToken).DefaultTimeout();

        var node = await _client.CoreV1.ReadNodeAsync("worker-1", cancellationToken: TestContext.Current.CancellationToken).DefaultTimeout();
        Assert.False(node.Status.Capacity.ContainsKey("kata.peerpods.io/vm"));
        Assert.Equal("110", node.Status.Capacity["pods"].ToString());
    }

    [Fact]
    public async Task AdvertiseAsync_UnknownNode_ThrowsNamingTheNode()
    {
        var advertiser = new NodeCapacityAdvertiser(_client, NullLogger<NodeCapacityAdvertiser>.Instance);

        var ex = await Assert.ThrowsAsync<KubernetesIntegrationException>(() => advertiser.AdvertiseAsync("nope", 1, TestContext.Current.CancellationToken)).DefaultTimeout();

        Assert.Contains("node nope", ex.Message, StringComparison.Ordinal);
    }
}
