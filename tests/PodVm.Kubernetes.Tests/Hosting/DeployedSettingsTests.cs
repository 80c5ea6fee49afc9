using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using PodVm.CloudApiAdaptor.Configuration;
using PodVm.Kubernetes.Hosting;

namespace PodVm.Kubernetes.Tests.Hosting;

/// <summary>
/// The settings deploy/ ships (each adaptor.json, plus the environment the DaemonSet sets from the Downward API) are
/// settings the adaptor knows and accepts with the Kubernetes integration on.
/// </summary>
public sealed class DeployedSettingsTests : IDisposable
{
    private const string NodeFromDownwardApi = "worker-1";
    private readonly string _kubeconfig = Path.GetTempFileName();

    public static TheoryData<string> Configs => ["base", "overlays/local", "overlays/aws", "overlays/azure"];

    public void Dispose() => File.Delete(_kubeconfig);

    private static string Deploy(string relative) => Path.Combine(RepoPaths.RepoRoot, "deploy", relative);

    /// <summary>The DaemonSet's PODVM_ variables as configuration keys, with the Downward API fields filled in.</summary>
    private static Dictionary<string, string?> DaemonSetEnvironment()
    {
        var daemonSet = KubernetesYaml.Deserialize<V1DaemonSet>(File.ReadAllText(Deploy("base/adaptor-daemonset.yaml")));
        var container = Assert.Single(daemonSet.Spec.Template.Spec.Containers);
        return container.Env.Where(e => e.Name.StartsWith("PODVM_", StringComparison.Ordinal)).ToDictionary(
            e => e.Name["PODVM_".Length..].Replace("__", ":", StringComparison.Ordinal),
            e => (string?)(e.ValueFrom?.FieldRef?.FieldPath == "spec.nodeName" ? NodeFromDownwardApi : e.Value));
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void AdaptorJson_WithTheDaemonSetEnvironment_PassesKubernetesValidation(string config)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Deploy(Path.Combine(config, "adaptor.json")))
            .AddInMemoryCollection(DaemonSetEnvironment())
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Kubernetes:Kubeconfig"] = _kubeconfig })
            .Build();
        var options = configuration.GetSection(KubernetesOptions.SectionName).Get<KubernetesOptions>()!;

        var result = new KubernetesOptionsValidator(configuration).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.True(options.Enabled);
        var adaptor = configuration.GetSection(AdaptorOptions.SectionName).Get<AdaptorOptions>()!;
        var identity = KubernetesServiceCollectionExtensions.Identity(options, adaptor);
        Assert.Equal(NodeFromDownwardApi, identity.NodeName);
        Assert.Equal(adaptor.ClusterName, identity.ClusterName);
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void AdaptorJson_AdaptorSection_NamesOnlyAdaptorSettings(string config)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Deploy(Path.Combine(config, "adaptor.json"))).Build();
        var known = typeof(AdaptorOptions).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var unknown = configuration.GetSection(AdaptorOptions.SectionName).GetChildren().Select(c => c.Key).Where(k => !known.Contains(k)).ToList();

        Assert.Empty(unknown);
        var adaptor = configuration.GetSection(AdaptorOptions.SectionName).Get<AdaptorOptions>()!;
        Assert.Equal(new Uri(adaptor.MetricsUrl).Port, ProbePort());
    }

    /// <summary>The port the DaemonSet's probes call: /healthz and /readyz are served on Adaptor:MetricsUrl.</summary>
    private static int ProbePort()
    {
        var daemonSet = KubernetesYaml.Deserialize<V1DaemonSet>(File.ReadAllText(Deploy("base/adaptor-daemonset.yaml")));
        var container = Assert.Single(daemonSet.Spec.Template.Spec.Containers);
        return int.Parse(container.ReadinessProbe.HttpGet.Port.Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
