using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PodVm.LocalKvmProvider.Provider;
using PodVm.Providers.Aws;
using PodVm.Providers.Azure;

namespace PodVm.Cli.Commands;

/// <summary>Which provider the adaptor daemon runs with, and the settings that go with it.</summary>
internal static class AdaptorComposition
{
    public static readonly string[] Providers = ["local", "aws", "azure"];

    /// <summary>
    /// Registers the provider named <paramref name="provider"/>; false when this build has no such provider. Each
    /// provider binds its own section (LocalKvm, Providers:Aws, Providers:Azure) and validates it at start-up, so a
    /// bad setting stops `podvm caa serve` with a message naming it.
    /// </summary>
    public static bool TryAddProvider(string provider, IServiceCollection services, IConfiguration configuration)
    {
        switch (provider)
        {
            case "local":
                services.AddLocalKvmProvider(configuration);
                return true;
            case "aws":
                services.AddAwsCloudProvider(configuration);
                return true;
            case "azure":
                services.AddAzureCloudProvider(configuration);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Defaults for a provider: the local provider's sizes are named local.small, local.medium, local.large. Cloud
    /// providers get none: their instance types (Adaptor:DefaultInstanceType, AllowedInstanceTypes, InstanceTypes)
    /// come from the configuration file, which these settings would otherwise override.
    /// </summary>
    public static Dictionary<string, string?> ProviderDefaults(string provider)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal) { ["Adaptor:Provider"] = provider };
        if (provider == "local")
        {
            var sizes = new LocalKvmProviderOptions().InstanceTypes;
            settings["Adaptor:DefaultInstanceType"] = sizes[0].Name;
            for (var i = 0; i < sizes.Count; i++)
            {
                settings[$"Adaptor:AllowedInstanceTypes:{i}"] = sizes[i].Name;
                settings[$"Adaptor:InstanceTypes:{i}:Name"] = sizes[i].Name;
                settings[$"Adaptor:InstanceTypes:{i}:VCpus"] = sizes[i].VCpus.ToString(System.Globalization.CultureInfo.InvariantCulture);
                settings[$"Adaptor:InstanceTypes:{i}:MemoryMiB"] = sizes[i].MemoryMiB.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return settings;
    }
}
