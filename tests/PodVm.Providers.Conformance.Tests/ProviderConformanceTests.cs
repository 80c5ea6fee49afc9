using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Providers.Conformance.Tests;

/// <summary>
/// What every <see cref="ICloudProvider"/> must do, whatever runs the VMs. A provider's subclass only says how to
/// start it, how to make the next VM fail to boot, and how to count what is left behind; every test here runs
/// unchanged against each provider (AWS and Azure through wire-level fakes, local through QEMU).
/// </summary>
public abstract class ProviderConformanceTests : IAsyncLifetime
{
    protected ICloudProvider Provider { get; private set; } = null!;

    /// <summary>An id no provider has handed out (each provider may reject or ignore its format).</summary>
    protected virtual string UnknownInstanceId => "podvm-never-created-0000";

    /// <summary>How many creates run at once in the concurrency test.</summary>
    protected virtual int ConcurrentCreates => 4;

    /// <summary>How long one create may take in these tests (a fake answers at once; a real VM has to boot).</summary>
    protected virtual TimeSpan CreateDeadline => TaskTimeoutExtensions.Default;

    /// <summary>How long <see cref="ConcurrentCreates"/> creates at once may take.</summary>
    protected virtual TimeSpan ConcurrentCreateDeadline => TimeSpan.FromSeconds(60);

    /// <summary>Starts the provider (and whatever it talks to) and returns it.</summary>
    protected abstract Task<ICloudProvider> StartAsync();

    protected abstract ValueTask StopAsync();

    /// <summary>A create request for a new sandbox; <paramref name="node"/> goes into the node tag.</summary>
    protected abstract CreateInstanceRequest NewRequest(string sandboxId, string node = "node-1");

    /// <summary>Makes the next VM this provider creates fail to start (boot failure, provisioning failure...).</summary>
    protected abstract void FailNextBoots();

    /// <summary>VMs and the resources created with them (disks, NICs, processes) that still exist.</summary>
    protected abstract Task<int> CountLiveResourcesAsync();

    /// <summary>Checks the provider's environment saw nothing wrong (e.g. a fake's request violations).</summary>
    protected virtual void AssertEnvironmentClean()
    {
    }

    public async ValueTask InitializeAsync() => Provider = await StartAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            AssertEnvironmentClean();
        }
        finally
        {
            await StopAsync();
            GC.SuppressFinalize(this);
        }
    }

    protected static string NewSandboxId() => Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateInstance_NewSandbox_RunningWithForwarderAddressAndTags()
    {
        var request = NewRequest(NewSandboxId());

        var instance = await Provider.CreateInstanceAsync(request, Ct).WithTimeout(CreateDeadline);

        Assert.Equal(InstanceState.Running, instance.State);
        var address = Assert.Single(instance.Addresses);
        Assert.False(string.IsNullOrEmpty(address.Host));
        Assert.InRange(address.Port, 1, 65535);
        Assert.Equal(request.SandboxId, instance.Tags[InstanceTags.SandboxId]);
        Assert.Equal(InstanceTags.ManagedByValue, instance.Tags[InstanceTags.ManagedBy]);
        Assert.Equal(request.Tags[InstanceTags.Node], instance.Tags[InstanceTags.Node]);
    }

    [Fact]
    public async Task GetInstance_AfterCreate_ReportsSameAddress()
    {
        var created = await Provider.CreateInstanceAsync(NewRequest(NewSandboxId()), Ct).WithTimeout(CreateDeadline);

        var fetched = await Provider.GetInstanceAsync(created.Id, Ct).DefaultTimeout();

        Assert.NotNull(fetched);
        Assert.Equal(created.Id, fetched.Id);
        Assert.Equal(InstanceState.Running, fetched.State);
        Assert.Equal(created.Addresses, fetched.Addresses);
    }

    [Fact]
    public async Task ListInstances_ByTag_FindsExactlyTheMatchingInstances()
    {
        var onNode1 = await Provider.CreateInstanceAsync(NewRequest(NewSandboxId(), "node-1"), Ct).WithTimeout(CreateDeadline);
        var onNode2 = await Provider.CreateInstanceAsync(NewRequest(NewSandboxId(), "node-2"), Ct).WithTimeout(CreateDeadline);

        var node2 = await Provider.ListInstancesAsync(
            new Dictionary<string, string> { [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue, [InstanceTags.Node] = "node-2" }, Ct).DefaultTimeout();
        var both = await Provider.ListInstancesAsync(
            new Dictionary<string, string> { [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue }, Ct).DefaultTimeout();
        var none = await Provider.ListInstancesAsync(
            new Dictionary<string, string> { [InstanceTags.Node] = "node-3" }, Ct).DefaultTimeout();

        Assert.Equal(onNode2.Id, Assert.Single(node2).Id);
        Assert.Equal(new[] { onNode1.Id, onNode2.Id }.Order(StringComparer.Ordinal), both.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Empty(none);
    }

    [Fact]
    public async Task DeleteInstance_Twice_FirstTrueThenFalseAndNothingLeft()
    {
        var instance = await Provider.CreateInstanceAsync(NewRequest(NewSandboxId()), Ct).WithTimeout(CreateDeadline);

        var first = await Provider.DeleteInstanceAsync(instance.Id, Ct).DefaultTimeout();
        var second = await Provider.DeleteInstanceAsync(instance.Id, Ct).DefaultTimeout();

        Assert.True(first);
        Assert.False(second);
        var after = await Provider.GetInstanceAsync(instance.Id, Ct).DefaultTimeout();
        Assert.True(after is null || after.State == InstanceState.Terminated, $"state after delete: {after?.State}");
        Assert.Empty(await Provider.ListInstancesAsync(
            new Dictionary<string, string> { [InstanceTags.SandboxId] = instance.Tags[InstanceTags.SandboxId] }, Ct).DefaultTimeout());
        Assert.Equal(0, await CountLiveResourcesAsync().DefaultTimeout());
    }

    [Fact]
    public async Task DeleteInstance_UnknownId_ReturnsFalse()
    {
        Assert.False(await Provider.DeleteInstanceAsync(UnknownInstanceId, Ct).DefaultTimeout());
        Assert.Null(await Provider.GetInstanceAsync(UnknownInstanceId, Ct).DefaultTimeout());
    }

    [Fact]
    public async Task CreateInstance_ConcurrentSandboxes_DistinctInstances()
    {
        var requests = Enumerable.Range(0, ConcurrentCreates).Select(i => NewRequest(NewSandboxId())).ToList();

        var instances = await Task.WhenAll(requests.Select(r => Provider.CreateInstanceAsync(r, Ct))).WithTimeout(ConcurrentCreateDeadline);

        Assert.Equal(ConcurrentCreates, instances.Select(i => i.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(instances, i => Assert.Equal(InstanceState.Running, i.State));
        Assert.Equal(requests.Select(r => r.SandboxId).Order(StringComparer.Ordinal),
            instances.Select(i => i.Tags[InstanceTags.SandboxId]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CreateInstance_SameSandboxTwice_OneInstance()
    {
        var request = NewRequest(NewSandboxId());

        var first = await Provider.CreateInstanceAsync(request, Ct).WithTimeout(CreateDeadline);
        var second = await Provider.CreateInstanceAsync(request, Ct).WithTimeout(CreateDeadline);

        Assert.Equal(first.Id, second.Id);
        Assert.Single(await Provider.ListInstancesAsync(
            new Dictionary<string, string> { [InstanceTags.SandboxId] = request.SandboxId }, Ct).DefaultTimeout());
    }

    [Fact]
    public async Task CreateInstance_VmFailsToStart_ThrowsAndLeavesNothingBehind()
    {
        FailNextBoots();

        var error = await Assert.ThrowsAsync<ProviderException>(() => Provider.CreateInstanceAsync(NewRequest(NewSandboxId()), Ct)).WithTimeout(CreateDeadline);

        Assert.Equal(ProviderErrorReason.InstanceFailed, error.Reason);
        Assert.Equal(0, await CountLiveResourcesAsync().DefaultTimeout());
    }
}
