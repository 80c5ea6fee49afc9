using global::Azure.Core;
using global::Azure.Identity;
using global::Azure.ResourceManager;

namespace PodVm.Providers.Azure;

/// <summary>Builds the ArmClient: retries, timeouts, endpoint and api-versions from the options; credentials from the chain.</summary>
internal static class ArmClientFactory
{
    public static ArmClient Create(AzureProviderOptions options, TokenCredential? credential, Action<ArmClientOptions>? configure)
    {
        var clientOptions = new ArmClientOptions();
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.RetryMaxDelay;
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        if (options.ResourceManagerEndpoint is { } endpoint)
        {
            clientOptions.Environment = new ArmEnvironment(endpoint, options.Audience ?? ArmEnvironment.AzurePublicCloud.Audience);
        }

        // NICs go through the generic resource API; naming the api-version avoids a provider lookup per call.
        clientOptions.SetApiVersion(new ResourceType("Microsoft.Network/networkInterfaces"), options.NetworkApiVersion);
        configure?.Invoke(clientOptions);

        credential ??= options.ClientSecret is { } secret
            ? new ClientSecretCredential(options.TenantId, options.ClientId, secret)
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                // Environment, workload identity (AKS), managed identity, Azure CLI...: the standard chain.
                ManagedIdentityClientId = options.ClientId,
                WorkloadIdentityClientId = options.ClientId,
                TenantId = options.TenantId,
            });
        return new ArmClient(credential, options.SubscriptionId, clientOptions);
    }
}
