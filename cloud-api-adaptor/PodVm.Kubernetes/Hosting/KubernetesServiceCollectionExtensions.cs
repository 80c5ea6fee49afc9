using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Configuration;
using PodVm.CloudApiAdaptor.Lifecycle;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.Kubernetes.Events;
using PodVm.Kubernetes.Nodes;
using PodVm.Kubernetes.PeerPods;
using PodVm.Kubernetes.Sweep;

namespace PodVm.Kubernetes.Hosting;

/// <summary>Wires the Kubernetes integration into the adaptor host (<c>podvm caa serve</c>).</summary>
public static class KubernetesServiceCollectionExtensions
{
    /// <summary>
    /// Binds the "Kubernetes" section and validates it at start-up. When <c>Kubernetes:Enabled</c> is true, also
    /// registers the API client (kubeconfig file, or the pod's service account), the PeerPod recorder and Event
    /// poster as the adaptor's <see cref="IPodLifecycleObserver"/>, and a hosted service that advertises the node's
    /// capacity and runs the PeerPod controller and the orphan sweep. The adaptor's provider must be registered.
    /// </summary>
    public static IServiceCollection AddPodVmKubernetes(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<KubernetesOptions>().Bind(configuration.GetSection(KubernetesOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KubernetesOptions>>(new KubernetesOptionsValidator(configuration)));
        if (!bool.TryParse(configuration[$"{KubernetesOptions.SectionName}:{nameof(KubernetesOptions.Enabled)}"], out var enabled) || !enabled)
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => Identity(sp.GetRequiredService<IOptions<KubernetesOptions>>().Value, sp.GetRequiredService<IOptions<AdaptorOptions>>().Value));
        services.AddSingleton(sp => ClientConfiguration(sp.GetRequiredService<IOptions<KubernetesOptions>>().Value));
        services.AddSingleton<IKubernetes>(sp => new k8s.Kubernetes(sp.GetRequiredService<KubernetesClientConfiguration>()));
        services.AddSingleton(sp => new PeerPodRecorder(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<ILogger<PeerPodRecorder>>()));
        services.AddSingleton(sp => new EventPoster(
            sp.GetRequiredService<IKubernetes>(),
            new EventPosterOptions { NodeName = sp.GetRequiredService<KubernetesIdentity>().NodeName },
            sp.GetRequiredService<ILogger<EventPoster>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new NodeCapacityAdvertiser(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<ILogger<NodeCapacityAdvertiser>>()));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<KubernetesOptions>>().Value;
            return new PeerPodController(
                sp.GetRequiredService<IKubernetes>(),
                sp.GetServices<ICloudProvider>(),
                new PeerPodControllerOptions
                {
                    NodeName = sp.GetRequiredService<KubernetesIdentity>().ScopeNodeName,
                    WatchTimeout = options.WatchTimeout,
                    RetryDelay = options.RetryDelay,
                },
                sp.GetRequiredService<ILogger<PeerPodController>>(),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<KubernetesOptions>>().Value;
            var identity = sp.GetRequiredService<KubernetesIdentity>();
            return new OrphanSweeper(
                sp.GetRequiredService<IKubernetes>(),
                sp.GetServices<ICloudProvider>(),
                new OrphanSweepOptions
                {
                    ClusterName = identity.ClusterName,
                    NodeName = identity.ScopeNodeName,
                    Interval = options.SweepInterval > TimeSpan.Zero ? options.SweepInterval : TimeSpan.FromMinutes(5),
                    GracePeriod = options.SweepGracePeriod,
                },
                sp.GetRequiredService<EventPoster>(),
                sp.GetRequiredService<ILogger<OrphanSweeper>>(),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<IPodLifecycleObserver>(sp => new KubernetesPodLifecycleObserver(
            sp.GetRequiredService<PeerPodRecorder>(),
            sp.GetRequiredService<EventPoster>(),
            sp.GetRequiredService<ICloudProvider>(),
            sp.GetRequiredService<KubernetesIdentity>(),
            sp.GetRequiredService<ILogger<KubernetesPodLifecycleObserver>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService(sp => new KubernetesIntegrationService(
            sp.GetRequiredService<NodeCapacityAdvertiser>(),
            sp.GetRequiredService<PeerPodController>(),
            sp.GetRequiredService<OrphanSweeper>(),
            sp.GetRequiredService<KubernetesIdentity>(),
            sp.GetRequiredService<KubernetesClientConfiguration>().Host,
            sp.GetRequiredService<ILogger<KubernetesIntegrationService>>(),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    internal static KubernetesIdentity Identity(KubernetesOptions options, AdaptorOptions adaptor) => new()
    {
        NodeName = string.IsNullOrEmpty(options.NodeName) ? adaptor.NodeName : options.NodeName,
        ClusterName = string.IsNullOrEmpty(options.ClusterName) ? adaptor.ClusterName : options.ClusterName,
        ScopeNodeName = options.ControllerScope == KubernetesControllerScope.Node
            ? (string.IsNullOrEmpty(options.NodeName) ? adaptor.NodeName : options.NodeName)
            : null,
        PodsPerNode = adaptor.MaxPods,
        CallTimeout = options.CallTimeout,
        RetryDelay = options.RetryDelay,
        SweepInterval = options.SweepInterval,
    };

    private static KubernetesClientConfiguration ClientConfiguration(KubernetesOptions options) =>
        string.IsNullOrEmpty(options.Kubeconfig)
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig);
}
