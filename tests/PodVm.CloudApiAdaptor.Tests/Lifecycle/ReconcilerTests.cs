using Microsoft.Extensions.Logging.Abstractions;
using PodVm.CloudApiAdaptor.Lifecycle;
using PodVm.CloudApiAdaptor.Observability;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.CloudApiAdaptor.Tests.Fakes;

namespace PodVm.CloudApiAdaptor.Tests.Lifecycle;

public sealed class ReconcilerTests
{
    private static ProviderInstance Instance(string id, IReadOnlyDictionary<string, string> owner, string? sandboxId, TimeSpan age, InstanceState state = InstanceState.Running)
    {
        var tags = new Dictionary<string, string>(owner, StringComparer.Ordinal);
        if (sandboxId is not null)
        {
            tags[InstanceTags.SandboxId] = sandboxId;
        }

        return new ProviderInstance
        {
            Id = id,
            Name = "podvm-" + id,
            State = state,
            Addresses = [],
            Tags = tags,
            CreatedAt = DateTimeOffset.UtcNow - age,
        };
    }

    [Fact]
    public async Task RunOnce_UnclaimedOldInstanceOfThisNode_DeletedWhileClaimedYoungAndForeignKept()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        var path = await harness.CreateAndStartAsync("claimed");
        var owner = harness.Pods.OwnerTags;
        var otherNode = new Dictionary<string, string>(owner) { [InstanceTags.Node] = "node-b" };
        harness.Provider.Add(Instance("i-orphan", owner, "lost-sandbox", TimeSpan.FromHours(1)));
        harness.Provider.Add(Instance("i-untagged", owner, null, TimeSpan.FromHours(1)));
        harness.Provider.Add(Instance("i-young", owner, "creating", TimeSpan.FromSeconds(5)));
        harness.Provider.Add(Instance("i-gone", owner, "old", TimeSpan.FromHours(1), InstanceState.Terminated));
        harness.Provider.Add(Instance("i-foreign", otherNode, "theirs", TimeSpan.FromHours(1)));
        using var metrics = new AdaptorMetrics();
        var reconciler = new Reconciler(harness.Pods, metrics, NullLogger<Reconciler>.Instance, TimeProvider.System);

        var report = await reconciler.RunOnceAsync(CancellationToken.None).DefaultTimeout();

        Assert.Equal(["i-orphan", "i-untagged"], report.Deleted.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Equal(5, report.InstancesSeen);
        Assert.Equal(2, report.InstancesKept);
        Assert.Same(report, reconciler.LastReport);
        Assert.Equal(["i-1", "i-foreign", "i-gone", "i-young"], harness.Provider.Instances.Select(i => i.Id).Order(StringComparer.Ordinal));
        await using var shim = await AdaptorHarness.ConnectShimAsync(path);
        await shim.Health.CheckAsync(new PodVm.Protocols.Agent.CheckRequest()).ResponseAsync.DefaultTimeout();
    }

    [Fact]
    public async Task RunOnce_CreatedPodClaimsItsInstance_KeptUntilFailedStartDeletesIt()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        await harness.Pods.CreateVmAsync("sb1", AdaptorHarness.Annotations(), null, CancellationToken.None).DefaultTimeout();
        harness.Provider.Add(Instance("i-left", harness.Pods.OwnerTags, "sb1", TimeSpan.FromHours(1)));
        using var metrics = new AdaptorMetrics();
        var reconciler = new Reconciler(harness.Pods, metrics, NullLogger<Reconciler>.Instance, TimeProvider.System);

        var kept = await reconciler.RunOnceAsync(CancellationToken.None).DefaultTimeout();
        Assert.Empty(kept.Deleted);

        harness.Provider.CreateFailure = new ProviderException(ProviderErrorReason.InsufficientCapacity, "no capacity");
        await Assert.ThrowsAsync<AdaptorException>(() => harness.Pods.StartVmAsync("sb1", CancellationToken.None)).DefaultTimeout();
        var report = await reconciler.RunOnceAsync(CancellationToken.None).DefaultTimeout();

        Assert.Empty(harness.Provider.Instances);
        Assert.Contains("i-left", harness.Provider.Deletes);
        Assert.DoesNotContain(report.Deleted, i => i.Id != "i-left");
    }
}
