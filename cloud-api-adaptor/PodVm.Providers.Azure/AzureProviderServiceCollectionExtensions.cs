using global::Azure.Core;
using global::Azure.ResourceManager;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Providers.Azure;

/// <summary>Registers the Azure provider: options bound from "Providers:Azure" and validated at start-up.</summary>
public static class AzureProviderServiceCollectionExtensions
{
    /// <param name="configureClient">Adjusts the ARM client options (e.g. a test transport); null in production.</param>
    /// <remarks>A <see cref="TokenCredential"/> registered in the container is used instead of DefaultAzureCredential.</remarks>
    public static IServiceCollection AddAzureCloudProvider(
        this IServiceCollection services, IConfiguration configuration, Action<ArmClientOptions>? configureClient = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AzureProviderOptions>()
            .Bind(configuration.GetSection(AzureProviderOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureProviderOptions>, AzureProviderOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ICloudProvider>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AzureProviderOptions>>();
            var arm = ArmClientFactory.Create(options.Value, sp.GetService<TokenCredential>(), configureClient);
            return new AzureCloudProvider(arm, options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AzureCloudProvider>>());
        });
        return services;
    }
}
