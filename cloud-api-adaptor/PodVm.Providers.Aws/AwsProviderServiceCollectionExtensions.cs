using Amazon.EC2;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Providers.Aws;

/// <summary>Registers the AWS provider: options bound from "Providers:Aws" and validated at start-up.</summary>
public static class AwsProviderServiceCollectionExtensions
{
    public static IServiceCollection AddAwsCloudProvider(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AwsProviderOptions>()
            .Bind(configuration.GetSection(AwsProviderOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsProviderOptions>, AwsProviderOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => Ec2ClientFactory.Create(sp.GetRequiredService<IOptions<AwsProviderOptions>>().Value));
        services.AddSingleton<ICloudProvider>(sp => new AwsCloudProvider(
            sp.GetRequiredService<IAmazonEC2>(),
            sp.GetRequiredService<IOptions<AwsProviderOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AwsCloudProvider>>()));
        return services;
    }
}
