using Microsoft.Extensions.Configuration;
using PodVm.Kubernetes.Hosting;

namespace PodVm.Kubernetes.Tests.Hosting;

public sealed class KubernetesOptionsValidatorTests : IDisposable
{
    private readonly string _kubeconfig = Path.GetTempFileName();

    public void Dispose() => File.Delete(_kubeconfig);

    private static (KubernetesOptions Options, KubernetesOptionsValidator Validator) Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = configuration.GetSection(KubernetesOptions.SectionName).Get<KubernetesOptions>() ?? new KubernetesOptions();
        return (options, new KubernetesOptionsValidator(configuration));
    }

    private Dictionary<string, string?> Valid() => new()
    {
        ["Adaptor:NodeName"] = "worker-1",
        ["Adaptor:ClusterName"] = "prod",
        ["Adaptor:Provider"] = "aws",
        ["Kubernetes:Enabled"] = "true",
        ["Kubernetes:NodeName"] = "worker-1",
        ["Kubernetes:Kubeconfig"] = _kubeconfig,
    };

    private static IReadOnlyList<string> Failures(Dictionary<string, string?> settings)
    {
        var (options, validator) = Bind(settings);
        return validator.Validate(null, options).Failures?.ToList() ?? [];
    }

    [Fact]
    public void Validate_CompleteSettings_Succeeds()
    {
        Assert.Empty(Failures(Valid()));
    }

    [Fact]
    public void Validate_Disabled_ChecksOnlyUnknownSettings()
    {
        Assert.Empty(Failures(new() { ["Kubernetes:NodeName"] = "NOT A NODE" }));
        Assert.Contains(Failures(new() { ["Kubernetes:RecordPeerPods"] = "true" }), f => f.StartsWith("Kubernetes:RecordPeerPods is not a setting", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Kubernetes:NodeName", "worker-2", "Kubernetes:NodeName 'worker-2' differs from Adaptor:NodeName 'worker-1'")]
    [InlineData("Kubernetes:NodeName", "Worker_1", "Kubernetes:NodeName 'Worker_1' is not a Kubernetes node name")]
    [InlineData("Kubernetes:ClusterName", "staging", "Kubernetes:ClusterName 'staging' differs from Adaptor:ClusterName 'prod'")]
    [InlineData("Kubernetes:Kubeconfig", "/nonexistent/kubeconfig", "Kubernetes:Kubeconfig '/nonexistent/kubeconfig' does not exist")]
    [InlineData("Kubernetes:SweepInterval", "-00:00:01", "Kubernetes:SweepInterval must be zero or positive")]
    [InlineData("Kubernetes:CallTimeout", "00:00:00", "Kubernetes:CallTimeout must be positive")]
    [InlineData("Kubernetes:RetryDelay", "00:00:00", "Kubernetes:RetryDelay must be positive")]
    [InlineData("Kubernetes:WatchTimeout", "00:00:00.5", "Kubernetes:WatchTimeout must be at least")]
    [InlineData("Kubernetes:Sweep", "5m", "Kubernetes:Sweep is not a setting")]
    public void Validate_BadSetting_NamesIt(string key, string value, string expected)
    {
        var settings = Valid();
        settings[key] = value;

        Assert.Contains(Failures(settings), f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ClusterScopeWithTheLocalProvider_IsRejected()
    {
        var settings = Valid();
        settings["Adaptor:Provider"] = "local";
        settings["Kubernetes:ControllerScope"] = "cluster";

        Assert.Contains(Failures(settings), f => f.StartsWith("Kubernetes:ControllerScope Cluster cannot be used with the local provider", StringComparison.Ordinal));
        settings["Adaptor:Provider"] = "aws";
        Assert.Empty(Failures(settings));
    }

    [Fact]
    public void Validate_NodeNameOnlyInTheAdaptorSection_IsTheDefault()
    {
        var settings = Valid();
        settings.Remove("Kubernetes:NodeName");

        Assert.Empty(Failures(settings));
        var (options, _) = Bind(settings);
        var identity = KubernetesServiceCollectionExtensions.Identity(options, new CloudApiAdaptor.Configuration.AdaptorOptions { NodeName = "worker-1", ClusterName = "prod" });
        Assert.Equal("worker-1", identity.NodeName);
        Assert.Equal("worker-1", identity.ScopeNodeName);
        Assert.Equal("prod", identity.ClusterName);
    }

    [Fact]
    public void Validate_NoKubeconfigOutsideACluster_SaysHowToFixIt()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")))
        {
            Assert.Skip("this test runs inside a Kubernetes pod, where the in-cluster configuration is valid");
        }

        var settings = Valid();
        settings.Remove("Kubernetes:Kubeconfig");

        Assert.Contains(Failures(settings), f => f.StartsWith("Kubernetes:Kubeconfig is empty", StringComparison.Ordinal) && f.Contains("KUBERNETES_SERVICE_HOST", StringComparison.Ordinal));
    }
}
