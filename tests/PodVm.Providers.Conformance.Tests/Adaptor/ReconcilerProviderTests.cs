using Microsoft.Extensions.DependencyInjection;
using PodVm.CloudApiAdaptor.Hosting;
using PodVm.CloudApiAdaptor.Lifecycle;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.Providers.Fakes.Arm;
using PodVm.Providers.Fakes.Ec2;

namespace PodVm.Providers.Conformance.Tests.Adaptor;

/// <summary>
/// The adaptor's reconciler (composed by <see cref="AdaptorHost"/>, as `podvm caa serve` composes it) with the real
/// AWS and Azure providers against their wire fakes: a VM this node created for a pod it no longer knows (adaptor
/// crash, lost state) is found by its tags and deleted with everything created with it; another node's VM is left.
/// </summary>
public sealed class ReconcilerProviderTests : IDisposable
{
    private const string Cluster = "test-cluster";
    private const string Node = "node-1";

    private readonly string _root = Directory.CreateTempSubdirectory("pvrec-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string NewSandboxId() => Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");

    private static Dictionary<string, string> OwnerTags(string node) => new(StringComparer.Ordinal)
    {
        [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue,
        [InstanceTags.Cluster] = Cluster,
        [InstanceTags.Node] = node,
    };

    private Microsoft.AspNetCore.Builder.WebApplication BuildAdaptor(ICloudProvider provider) => AdaptorHost.Build(
        [],
        null,
        new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Adaptor:StateDirectory"] = Path.Combine(_root, "state"),
            ["Adaptor:PodsDirectory"] = Path.Combine(_root, "pods"),
            ["Adaptor:SocketPath"] = Path.Combine(_root, "hypervisor.sock"),
            ["Adaptor:ClusterName"] = Cluster,
            ["Adaptor:NodeName"] = Node,
            ["Adaptor:OrphanGracePeriod"] = "00:00:00",
        },
        (services, _) => services.AddSingleton(provider));

    [Fact]
    public async Task RunOnce_AwsOrphanOfThisNode_TerminatedAndOtherNodesInstanceKept()
    {
        await using var env = await AwsFakeEnvironment.StartAsync().DefaultTimeout();
        var orphan = await env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(NewSandboxId()), Ct).DefaultTimeout();
        var foreign = env.Fake.AddInstance("m6a.large", OwnerTags("node-2"));
        await using var app = BuildAdaptor(env.Provider);
        var reconciler = app.Services.GetRequiredService<Reconciler>();

        var report = await reconciler.RunOnceAsync(Ct).DefaultTimeout();

        Assert.Equal(orphan.Id, Assert.Single(report.Deleted).Id);
        Assert.Equal(1, report.InstancesSeen);
        Assert.Contains(env.Fake.Instances.Single(i => i.InstanceId == orphan.Id).State, new[] { "shutting-down", "terminated" });
        Assert.Equal("running", env.Fake.Instances.Single(i => i.InstanceId == foreign).State);
        Assert.Equal(1, env.Fake.LiveInstanceCount);
        env.Fake.Violations.AssertNone();
    }

    [Fact]
    public async Task RunOnce_AzureOrphanOfThisNode_VmNicAndDiskDeletedAndOtherNodesVmKept()
    {
        await using var env = await AzureFakeEnvironment.StartAsync().DefaultTimeout();
        var orphan = await env.Provider.CreateInstanceAsync(AzureFakeEnvironment.Request(NewSandboxId()), Ct).DefaultTimeout();
        var foreign = env.Fake.AddVirtualMachine("podvm-other-node", new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["podvm.io:managed-by"] = InstanceTags.ManagedByValue,
            ["podvm.io:cluster"] = Cluster,
            ["podvm.io:node"] = "node-2",
        });
        await using var app = BuildAdaptor(env.Provider);
        var reconciler = app.Services.GetRequiredService<Reconciler>();

        var report = await reconciler.RunOnceAsync(Ct).DefaultTimeout();

        Assert.Equal(orphan.Id, Assert.Single(report.Deleted).Id);
        Assert.Equal(foreign, Assert.Single(env.Fake.VirtualMachines).Name);
        Assert.Equal(foreign + "-nic", Assert.Single(env.Fake.NetworkInterfaces).Name);
        Assert.Empty(env.Fake.Disks);
        env.Fake.Violations.AssertNone();
    }
}
