using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.LocalKvmProvider.Provider;

/// <summary>DI registration of the local provider, with its options bound and validated at start-up.</summary>
public static class LocalKvmServiceCollectionExtensions
{
    public static IServiceCollection AddLocalKvmProvider(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LocalKvmProviderOptions>()
            .Bind(configuration.GetSection(LocalKvmProviderOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LocalKvmProviderOptions>, LocalKvmProviderOptionsValidator>());
        services.TryAddSingleton<LocalKvmProvider>();
        services.AddSingleton<ICloudProvider>(sp => sp.GetRequiredService<LocalKvmProvider>());
        return services;
    }
}
