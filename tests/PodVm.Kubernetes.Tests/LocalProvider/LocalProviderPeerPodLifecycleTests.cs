using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.Kubernetes.Events;
using PodVm.Kubernetes.PeerPods;
using PodVm.Kubernetes.Sweep;
using PodVm.Kubernetes.Tests.ApiServer;
using PodVm.LocalKvmProvider;
using PodVm.LocalKvmProvider.Image;
using PodVm.LocalKvmProvider.Provider;

namespace PodVm.Kubernetes.Tests.LocalProvider;

/// <summary>
/// The PeerPod lifecycle with real QEMU VMs from the local provider: a VM recorded as a PeerPod is deleted by the
/// controller when its pod goes away without a StopVM, and a VM nobody recorded is deleted by the sweep.
/// Skipped when QEMU or the pod VM image's inputs are missing.
/// </summary>
public sealed class LocalProviderPeerPodLifecycleTests : IAsyncLifetime
{
    private static readonly TimeSpan VmDeadline = TimeSpan.FromMinutes(4);
    private readonly string _root = Directory.CreateTempSubdirectory("pvk8s-").FullName;
    private FakeApiServer _server = null!;
    private IKubernetes _client = null!;
    private PodVm.LocalKvmProvider.Provider.LocalKvmProvider? _provider;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync().DefaultTimeout();
        _client = _server.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        if (_provider is not null)
        {
            foreach (var instance in await _provider.ListInstancesAsync(new Dictionary<string, string>(), CancellationToken.None).WithTimeout(VmDeadline))
            {
                await _provider.DeleteInstanceAsync(instance.Id, CancellationToken.None).WithTimeout(VmDeadline);
            }

            await _provider.DisposeAsync();
        }

        _client.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<PodVm.LocalKvmProvider.Provider.LocalKvmProvider> ProviderAsync()
    {
        Requires.Tool("qemu-system-x86_64", "qemu-system-x86");
        var home = Environment.GetEnvironmentVariable(PodVmPaths.HomeVariable) is { Length: > 0 } ? PodVmPaths.Home : Writable(PodVmPaths.Home);
        ImageBuildResult image;
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            image = await new ImageBuilder().BuildAsync(new ImageBuildOptions
            {
                OutputDirectory = Path.Combine(home, "images", "kubernetes-tests"),
                CacheDirectory = Path.Combine(home, "cache"),
                IncludeGuestPrograms = false,
            }, deadline.Token);
        }
        catch (ImageBuildException e) when (e.Reason is ImageBuildErrorReason.MissingTool or ImageBuildErrorReason.MissingPackage)
        {
            Assert.Skip($"the pod VM image cannot be built here: {e.Message}");
            throw;
        }

        _provider = new PodVm.LocalKvmProvider.Provider.LocalKvmProvider(Options.Create(new LocalKvmProviderOptions
        {
            StateDirectory = Path.Combine(_root, "vms"),
            LogDirectory = Path.Combine(_root, "logs"),
            ImageDirectory = image.OutputDirectory,
            BootTimeout = VmDeadline,
            PowerdownTimeout = TimeSpan.FromSeconds(1),
            // The lifecycle under test is the Kubernetes side: a running QEMU is enough.
            WaitForGuestReady = false,
        }));
        return _provider;
    }

    private static string Writable(string home)
    {
        try
        {
            Directory.CreateDirectory(home);
            return home;
        }
        catch (UnauthorizedAccessException)
        {
            return Path.Combine(Path.GetTempPath(), "podvm-home");
        }
    }

    private static CreateInstanceRequest Request(string sandbox, string pod) => new()
    {
        SandboxId = sandbox,
        InstanceName = "podvm-" + pod,
        InstanceType = new InstanceType("local.test", 1, 160),
        UserData = ReadOnlyMemory<byte>.Empty,
        Tags = Objects.Tags("k8s-it", "default", pod, node: "it-node"),
    };

    [Fact]
    public async Task PeerPodLifecycle_LocalVms_ControllerAndSweepDeleteThem()
    {
        var provider = await ProviderAsync();
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _server.Seed("pods", Objects.Pod("default", "web"));
        var recorded = await provider.CreateInstanceAsync(Request("a1b2c3d4e5f60718", "web"), ct).WithTimeout(VmDeadline);
        var orphan = await provider.CreateInstanceAsync(Request("f0e1d2c3b4a59687", "vanished"), ct).WithTimeout(VmDeadline);
        var record = new PeerPodRecord
        {
            PodNamespace = "default",
            PodName = "web",
            SandboxId = "a1b2c3d4e5f60718",
            CloudProvider = provider.Name,
            InstanceId = recorded.Id,
            NodeName = "it-node",
        };
        await new PeerPodRecorder(_client, NullLogger<PeerPodRecorder>.Instance).RecordAsync(record, ct).DefaultTimeout();
        var controller = new PeerPodController(_client, [provider], new PeerPodControllerOptions { NodeName = "it-node" },
            NullLogger<PeerPodController>.Instance, time);
        var sweeper = new OrphanSweeper(_client, [provider], new OrphanSweepOptions { ClusterName = "k8s-it", NodeName = "it-node", GracePeriod = TimeSpan.FromMinutes(10) },
            new EventPoster(_client, new EventPosterOptions { NodeName = "it-node" }, NullLogger<EventPoster>.Instance, time),
            NullLogger<OrphanSweeper>.Instance, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = controller.RunAsync(stop.Token);
        await _server.WaitForWatchRequestsAsync(1).DefaultTimeout();

        // The pod goes without a StopVM: GC marks the PeerPod, the controller deletes the VM, then the finalizer.
        _server.Delete("pods", "default", "web");
        await _server.WaitUntilAsync(s => s.Get("peerpods", "default", record.PeerPodName) is null).WithTimeout(VmDeadline);
        Assert.Null(await provider.GetInstanceAsync(recorded.Id, ct).WithTimeout(VmDeadline));

        // The unrecorded VM whose pod does not exist: seen, then deleted once the grace period has passed.
        var first = await sweeper.SweepOnceAsync(ct).WithTimeout(VmDeadline);
        var all = await provider.ListInstancesAsync(new Dictionary<string, string>(), ct).WithTimeout(VmDeadline);
        Assert.True(first.Waiting.Count == 1, $"first sweep: seen {first.InstancesSeen}, claimed {first.Claimed}, deleted {first.Deleted.Count}; provider has "
            + string.Join("; ", all.Select(i => $"{i.Id} {i.State} [{string.Join(",", i.Tags.Select(t => t.Key + "=" + t.Value))}]")));
        Assert.Equal([orphan.Id], first.Waiting.Select(i => i.Id));
        // Past the grace period both since the sweep first saw it and since the VM was created (real clock).
        time.Advance(TimeSpan.FromMinutes(11));
        var second = await sweeper.SweepOnceAsync(ct).WithTimeout(VmDeadline);
        Assert.Equal([orphan.Id], second.Deleted.Select(i => i.Id));
        Assert.Empty(await provider.ListInstancesAsync(Objects.Tags("k8s-it"), ct).WithTimeout(VmDeadline));
        Assert.Contains(_server.List("events"), e => (string?)e["reason"] == "PodVmOrphanDeleted" && (string?)e["involvedObject"]!["name"] == "vanished");

        await stop.CancelAsync();
        await running.DefaultTimeout();
    }
}
