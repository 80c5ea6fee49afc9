using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.Providers.Azure;

namespace PodVm.Providers.Fakes.Arm;

/// <summary>
/// The real Azure provider (real Azure.ResourceManager.Compute, registered through its public DI extension and options
/// validation) pointed at a <see cref="FakeArmServer"/> over https on loopback, trusting only the fake's certificate,
/// with a static bearer token and short poll and retry intervals.
/// </summary>
public sealed class AzureFakeEnvironment : IAsyncDisposable
{
    public const string SshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnlyFakeKeyForTestsOnly podvm@test";

    private readonly ServiceProvider _services;

    private AzureFakeEnvironment(FakeArmServer fake, ServiceProvider services)
    {
        Fake = fake;
        _services = services;
        Provider = services.GetRequiredService<ICloudProvider>();
        Options = services.GetRequiredService<IOptions<AzureProviderOptions>>().Value;
    }

    public FakeArmServer Fake { get; }

    public ICloudProvider Provider { get; }

    public AzureProviderOptions Options { get; }

    public static Dictionary<string, string?> DefaultSettings(Uri endpoint) => new(StringComparer.Ordinal)
    {
        ["SubscriptionId"] = FakeArmServer.SubscriptionId,
        ["ResourceGroup"] = FakeArmServer.ResourceGroup,
        ["Location"] = FakeArmServer.Location,
        ["SubnetId"] = FakeArmServer.DefaultSubnetId,
        ["ImageId"] = FakeArmServer.DefaultImageId,
        ["SshPublicKey"] = SshKey,
        ["ResourceManagerEndpoint"] = endpoint.ToString(),
        ["MaxRetries"] = "4",
        ["RetryDelay"] = "00:00:00.010",
        ["RetryMaxDelay"] = "00:00:00.100",
        ["NetworkTimeout"] = "00:00:05",
        ["CreateTimeout"] = "00:00:10",
        ["PollInterval"] = "00:00:00.020",
    };

    public static async Task<AzureFakeEnvironment> StartAsync(
        Action<Dictionary<string, string?>>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        var fake = await FakeArmServer.StartAsync();
        try
        {
            var settings = DefaultSettings(fake.Endpoint);
            configure?.Invoke(settings);
            var handler = fake.CreatePinnedHandler();
            var services = FakeProviderServices.Build(AzureProviderOptions.SectionName, settings, loggerFactory, (s, c) => s
                .AddSingleton<TokenCredential>(new StaticTokenCredential(FakeArmServer.AccessToken))
                .AddAzureCloudProvider(c, client => client.Transport = new HttpClientTransport(handler)));
            return new AzureFakeEnvironment(fake, services);
        }
        catch
        {
            await fake.DisposeAsync();
            throw;
        }
    }

    /// <summary>A create request for a new sandbox with the tags the adaptor core puts on every VM.</summary>
    public static CreateInstanceRequest Request(string sandboxId, string vmSize = "Standard_DC2as_v5", bool confidential = true, int userDataBytes = 512) =>
        FakeProviderServices.Request(sandboxId, vmSize, confidential, userDataBytes, podName: "web", tpm: true);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
