using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PodVm.CloudApiAdaptor.Configuration;
using PodVm.CloudApiAdaptor.Hosting;
using PodVm.CloudApiAdaptor.Lifecycle;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.CloudApiAdaptor.Tests.Fakes;
using PodVm.CloudApiAdaptor.Tls;
using PodVm.Kubernetes.Hosting;
using AdaptorFakeProvider = PodVm.CloudApiAdaptor.Tests.Fakes.FakeCloudProvider;

namespace PodVm.Kubernetes.Tests.Hosting;

/// <summary>
/// The real adaptor host (<see cref="AdaptorHost.Build"/>: options, PodManager, hypervisor service, hosted services)
/// with <see cref="KubernetesServiceCollectionExtensions.AddPodVmKubernetes"/> pointed at an API server through a
/// kubeconfig file, the adaptor's fake provider (loopback addresses, injectable failures) and a fake forwarder, so
/// StartVM runs to agent-ready without a VM.
/// </summary>
internal sealed class AdaptorHostHarness : IAsyncDisposable
{
    public const string Node = "node-a";
    public const string Cluster = "c1";

    private readonly string _root;
    private readonly ForwarderCertificateAuthority _ca;
    private bool _stopped;

    private AdaptorHostHarness(string root, ForwarderCertificateAuthority ca, WebApplication app, AdaptorFakeProvider provider, FakeForwarder forwarder, LogCollector logs)
    {
        _root = root;
        _ca = ca;
        App = app;
        Provider = provider;
        Forwarder = forwarder;
        Logs = logs;
    }

    public WebApplication App { get; }

    public AdaptorFakeProvider Provider { get; }

    public FakeForwarder Forwarder { get; }

    public LogCollector Logs { get; }

    public PodManager Pods => App.Services.GetRequiredService<PodManager>();

    /// <summary>Builds and starts the host; <paramref name="settings"/> adds or overrides configuration keys.</summary>
    public static async Task<AdaptorHostHarness> StartAsync(Uri apiServer, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var root = Directory.CreateTempSubdirectory("kube-host-").FullName;
        var state = Path.Combine(root, "state");
        // The host loads this CA from its state directory; the fake forwarder issues its certificates from it.
        var ca = ForwarderCertificateAuthority.LoadOrCreate(Path.Combine(state, "tls"), TimeProvider.System);
        var forwarder = new FakeForwarder(ca);
        var provider = new AdaptorFakeProvider { ForwarderPort = forwarder.Port };
        var logs = new LogCollector();
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Adaptor:SocketPath"] = Path.Combine(root, "hv.sock"),
            ["Adaptor:PodsDirectory"] = Path.Combine(root, "pods"),
            ["Adaptor:StateDirectory"] = state,
            ["Adaptor:ClusterName"] = Cluster,
            ["Adaptor:NodeName"] = Node,
            ["Adaptor:MetricsUrl"] = "http://127.0.0.1:0",
            ["Adaptor:ReconcileInterval"] = "00:00:00",
            ["Adaptor:DefaultStartTimeout"] = "00:00:30",
            ["Adaptor:DeleteTimeout"] = "00:00:10",
            ["Kubernetes:Enabled"] = "true",
            ["Kubernetes:NodeName"] = Node,
            ["Kubernetes:Kubeconfig"] = Kubeconfig.Write(root, apiServer),
            ["Kubernetes:SweepInterval"] = "00:00:00",
            ["Kubernetes:RetryDelay"] = "00:00:00.200",
            ["Kubernetes:CallTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var app = AdaptorHost.Build([], null, overrides, (services, configuration) =>
        {
            services.AddSingleton<ICloudProvider>(provider);
            services.AddSingleton<ILoggerProvider>(logs);
            services.AddPodVmKubernetes(configuration);
        });
        var harness = new AdaptorHostHarness(root, ca, app, provider, forwarder, logs);
        try
        {
            await app.StartAsync().DefaultTimeout();
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }

        return harness;
    }

    public static Dictionary<string, string> Annotations(string pod, string ns = "default") => new(StringComparer.Ordinal)
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

    public async Task CreateAndStartAsync(string sandboxId, string pod, string ns = "default")
    {
        await Pods.CreateVmAsync(sandboxId, Annotations(pod, ns), null, CancellationToken.None).DefaultTimeout();
        await Pods.StartVmAsync(sandboxId, CancellationToken.None).DefaultTimeout();
    }

    /// <summary>A graceful stop, as SIGTERM does it.</summary>
    public async Task StopAsync()
    {
        _stopped = true;
        await App.StopAsync().DefaultTimeout();
    }

    public async ValueTask DisposeAsync()
    {
        Forwarder.Agent.ReleaseWaits();
        if (!_stopped)
        {
            await StopAsync();
        }

        await App.DisposeAsync();
        await Forwarder.DisposeAsync().DefaultTimeout();
        _ca.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
