using Microsoft.Extensions.Options;

namespace PodVm.CloudApiAdaptor.Configuration;

/// <summary>Stops the process at start-up with a message that names the bad setting.</summary>
internal sealed class AdaptorOptionsValidator : IValidateOptions<AdaptorOptions>
{
    private static readonly string[] Providers = ["local", "aws", "azure"];

    public ValidateOptionsResult Validate(string? name, AdaptorOptions options)
    {
        var failures = new List<string>();
        if (!Path.IsPathRooted(options.SocketPath))
        {
            failures.Add($"Adaptor:SocketPath must be an absolute path (got '{options.SocketPath}')");
        }

        if (!Path.IsPathRooted(options.PodsDirectory))
        {
            failures.Add($"Adaptor:PodsDirectory must be an absolute path (got '{options.PodsDirectory}')");
        }

        if (!Path.IsPathRooted(options.StateDirectory))
        {
            failures.Add($"Adaptor:StateDirectory must be an absolute path (got '{options.StateDirectory}')");
        }

        if (!Providers.Contains(options.Provider, StringComparer.Ordinal))
        {
            failures.Add($"Adaptor:Provider must be one of {string.Join(", ", Providers)} (got '{options.Provider}')");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterName) || string.IsNullOrWhiteSpace(options.NodeName))
        {
            failures.Add("Adaptor:ClusterName and Adaptor:NodeName must not be empty: they tag every VM so leaked ones can be found");
        }

        if (string.IsNullOrWhiteSpace(options.DefaultInstanceType))
        {
            failures.Add("Adaptor:DefaultInstanceType must not be empty");
        }

        if (options.MaxPods is < 1 or > 10_000)
        {
            failures.Add($"Adaptor:MaxPods must be between 1 and 10000 (got {options.MaxPods})");
        }

        if (options.ForwarderPort is < 1 or > 65535)
        {
            failures.Add($"Adaptor:ForwarderPort must be a TCP port (got {options.ForwarderPort})");
        }

        if (options.DefaultStartTimeout <= TimeSpan.Zero || options.DeleteTimeout <= TimeSpan.Zero)
        {
            failures.Add("Adaptor:DefaultStartTimeout and Adaptor:DeleteTimeout must be positive");
        }

        if (options.ReconcileInterval < TimeSpan.Zero || options.OrphanGracePeriod < TimeSpan.Zero)
        {
            failures.Add("Adaptor:ReconcileInterval and Adaptor:OrphanGracePeriod must not be negative");
        }

        foreach (var type in options.InstanceTypes)
        {
            if (string.IsNullOrWhiteSpace(type.Name) || type.VCpus < 1 || type.MemoryMiB < 64)
            {
                failures.Add($"Adaptor:InstanceTypes entry '{type.Name}' needs a name, VCpus >= 1 and MemoryMiB >= 64");
            }
        }

        if (!string.IsNullOrEmpty(options.MetricsUrl)
            && (!Uri.TryCreate(options.MetricsUrl, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || !uri.IsLoopback))
        {
            failures.Add($"Adaptor:MetricsUrl must be an http:// URL on loopback (got '{options.MetricsUrl}'); metrics are not for the network");
        }

        if (!string.IsNullOrEmpty(options.DefaultInitData))
        {
            try
            {
                PodVm.PodVmConfig.InitDataCodec.Decode(options.DefaultInitData);
            }
            catch (PodVm.PodVmConfig.InitDataException ex)
            {
                failures.Add($"Adaptor:DefaultInitData is not valid initdata (gzip+base64 TOML): {ex.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
