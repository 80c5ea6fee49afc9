using Microsoft.Extensions.Logging.Abstractions;
using PodVm.CloudApiAdaptor.Configuration;
using PodVm.CloudApiAdaptor.Lifecycle;
using PodVm.CloudApiAdaptor.Observability;
using PodVm.CloudApiAdaptor.Tls;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Ttrpc;

namespace PodVm.CloudApiAdaptor.Tests.Fakes;

/// <summary>A PodManager over a temporary directory, the fake provider and the fake forwarder.</summary>
internal sealed class AdaptorHarness : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<IDisposable> _disposables = [];

    private AdaptorHarness(string root, AdaptorOptions options, ForwarderCertificateAuthority ca)
    {
        Root = root;
        Options = options;
        Ca = ca;
        Forwarder = new FakeForwarder(ca);
        Provider.ForwarderPort = Forwarder.Port;
    }

    public string Root { get; }

    public AdaptorOptions Options { get; }

    public ForwarderCertificateAuthority Ca { get; }

    public FakeCloudProvider Provider { get; } = new();

    public FakeForwarder Forwarder { get; }

    public PodManager Pods { get; private set; } = null!;

    /// <summary>What every PodManager the harness builds reports its lifecycle to.</summary>
    public RecordingLifecycleObserver Observer { get; } = new();

    public string StateDirectory => Options.StateDirectory;

    public static async Task<AdaptorHarness> StartAsync(Func<AdaptorOptions, AdaptorOptions>? configure = null)
    {
        var root = Directory.CreateTempSubdirectory("caa-").FullName;
        var options = new AdaptorOptions
        {
            SocketPath = Path.Combine(root, "hv.sock"),
            PodsDirectory = Path.Combine(root, "pods"),
            StateDirectory = Path.Combine(root, "state"),
            ClusterName = "test",
            NodeName = "node-a",
            DefaultStartTimeout = TimeSpan.FromSeconds(10),
            DeleteTimeout = TimeSpan.FromSeconds(5),
        };
        options = configure?.Invoke(options) ?? options;
        var ca = ForwarderCertificateAuthority.LoadOrCreate(options.StateDirectory, TimeProvider.System);
        var harness = new AdaptorHarness(root, options, ca);
        harness.Pods = await harness.NewManagerAsync();
        return harness;
    }

    public static Dictionary<string, string> Annotations(string pod = "web", string ns = "default") => new(StringComparer.Ordinal)
    {
        [PodAnnotations.SandboxNameKey] = pod,
        [PodAnnotations.SandboxNamespaceKey] = ns,
        [PodAnnotations.MachineTypeKey] = "",
        [PodAnnotations.ImageKey] = "",
        [PodAnnotations.VCpusKey] = "",
        [PodAnnotations.MemoryKey] = "",
        [PodAnnotations.InitDataKey] = "",
        [PodAnnotations.GpusKey] = "",
        [PodAnnotations.GpuModelKey] = "",
    };

    /// <summary>A PodManager as a (re)started adaptor builds it: CA and records loaded from the state directory.</summary>
    public async Task<PodManager> NewManagerAsync()
    {
        var ca = ForwarderCertificateAuthority.LoadOrCreate(Options.StateDirectory, TimeProvider.System);
        var metrics = new AdaptorMetrics();
        _disposables.Add(ca);
        _disposables.Add(metrics);
        var manager = new PodManager(
            Microsoft.Extensions.Options.Options.Create(Options),
            Provider,
            ca,
            new PodStateStore(Options.StateDirectory, NullLogger.Instance),
            metrics,
            NullLoggerFactory.Instance,
            TimeProvider.System,
            Observer);
        _owned.Add(manager);
        await manager.InitializeAsync(CancellationToken.None).DefaultTimeout();
        return manager;
    }

    /// <summary>Replaces <see cref="Pods"/> as a restart does: the old manager shuts down (VMs keep running).</summary>
    public async Task RestartAsync()
    {
        await Pods.DisposeAsync().DefaultTimeout();
        Pods = await NewManagerAsync();
    }

    public async Task<string> CreateAndStartAsync(string sandboxId, string pod = "web")
    {
        var path = await Pods.CreateVmAsync(sandboxId, Annotations(pod), null, CancellationToken.None).DefaultTimeout();
        await Pods.StartVmAsync(sandboxId, CancellationToken.None).DefaultTimeout();
        return path;
    }

    /// <summary>Connects as the Kata shim does to a pod's agent socket.</summary>
    public static async Task<ShimClient> ConnectShimAsync(string agentSocketPath)
    {
        var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(agentSocketPath)).DefaultTimeout();
        return new ShimClient(client);
    }

    public async ValueTask DisposeAsync()
    {
        Forwarder.Agent.ReleaseWaits();
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync().DefaultTimeout();
        }

        await Forwarder.DisposeAsync().DefaultTimeout();
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        Ca.Dispose();
        Directory.Delete(Root, recursive: true);
    }

    internal sealed class ShimClient(TtrpcClient client) : IAsyncDisposable
    {
        public TtrpcClient Client => client;

        public AgentService.AgentServiceClient Agent { get; } = new(client.CreateCallInvoker());

        public Health.HealthClient Health { get; } = new(client.CreateCallInvoker());

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
