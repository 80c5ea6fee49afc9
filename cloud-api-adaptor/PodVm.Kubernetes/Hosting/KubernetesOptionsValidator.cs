using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Configuration;

namespace PodVm.Kubernetes.Hosting;

/// <summary>
/// Checks <see cref="KubernetesOptions"/> at start-up; every message names the setting to fix. Unknown settings in the
/// section are errors (a misspelt setting would otherwise be silently ignored). The adaptor's own section is read
/// from <paramref name="configuration"/> because the node and cluster names must agree with the instance tags.
/// </summary>
internal sealed partial class KubernetesOptionsValidator(IConfiguration configuration) : IValidateOptions<KubernetesOptions>
{
    private const string Section = KubernetesOptions.SectionName;

    private static readonly HashSet<string> Known = new(
        typeof(KubernetesOptions).GetProperties().Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    public ValidateOptionsResult Validate(string? name, KubernetesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var child in configuration.GetSection(Section).GetChildren())
        {
            if (!Known.Contains(child.Key))
            {
                failures.Add($"{Section}:{child.Key} is not a setting (known: {string.Join(", ", Known.Order(StringComparer.Ordinal))}).");
            }
        }

        if (!options.Enabled)
        {
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        var adaptor = new AdaptorOptions();
        var adaptorNode = configuration[$"{AdaptorOptions.SectionName}:{nameof(AdaptorOptions.NodeName)}"] ?? adaptor.NodeName;
        var adaptorCluster = configuration[$"{AdaptorOptions.SectionName}:{nameof(AdaptorOptions.ClusterName)}"] ?? adaptor.ClusterName;
        var node = string.IsNullOrEmpty(options.NodeName) ? adaptorNode : options.NodeName;
        if (!NodeNamePattern().IsMatch(node) || node.Length > 253)
        {
            failures.Add($"{Section}:NodeName '{node}' is not a Kubernetes node name (lower-case letters, digits, '-' and '.'; set it from the Downward API: spec.nodeName).");
        }
        else if (!string.Equals(node, adaptorNode, StringComparison.Ordinal))
        {
            failures.Add($"{Section}:NodeName '{node}' differs from Adaptor:NodeName '{adaptorNode}': instances are tagged with the adaptor's node, so the controller and the sweep would not find them; set both to the node's name (PODVM_Adaptor__NodeName and PODVM_Kubernetes__NodeName from spec.nodeName).");
        }

        var cluster = string.IsNullOrEmpty(options.ClusterName) ? adaptorCluster : options.ClusterName;
        if (!string.Equals(cluster, adaptorCluster, StringComparison.Ordinal))
        {
            failures.Add($"{Section}:ClusterName '{cluster}' differs from Adaptor:ClusterName '{adaptorCluster}': instances are tagged with the adaptor's cluster, so the sweep would not find them; set both to the same name.");
        }

        if (string.IsNullOrEmpty(options.Kubeconfig))
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")))
            {
                failures.Add($"{Section}:Kubeconfig is empty, so the pod's service account would be used, but this process does not run in a pod (KUBERNETES_SERVICE_HOST is not set); set {Section}:Kubeconfig to a kubeconfig file.");
            }
        }
        else if (!File.Exists(options.Kubeconfig))
        {
            failures.Add($"{Section}:Kubeconfig '{options.Kubeconfig}' does not exist.");
        }

        if (!Enum.IsDefined(options.ControllerScope))
        {
            failures.Add($"{Section}:ControllerScope must be Node or Cluster.");
        }
        else if (options.ControllerScope == KubernetesControllerScope.Cluster
            && string.Equals(configuration[$"{AdaptorOptions.SectionName}:{nameof(AdaptorOptions.Provider)}"] ?? adaptor.Provider, "local", StringComparison.Ordinal))
        {
            failures.Add($"{Section}:ControllerScope Cluster cannot be used with the local provider: its VMs can only be deleted on their own node; use Node.");
        }

        Positive(failures, nameof(options.SweepGracePeriod), options.SweepGracePeriod, allowZero: true);
        Positive(failures, nameof(options.SweepInterval), options.SweepInterval, allowZero: true);
        Positive(failures, nameof(options.RetryDelay), options.RetryDelay, allowZero: false);
        Positive(failures, nameof(options.CallTimeout), options.CallTimeout, allowZero: false);
        if (options.WatchTimeout < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Section}:WatchTimeout must be at least 00:00:01 (got {options.WatchTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string setting, TimeSpan value, bool allowZero)
    {
        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            failures.Add($"{Section}:{setting} must be {(allowZero ? "zero or positive" : "positive")} (got {value}).");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial Regex NodeNamePattern();
}
