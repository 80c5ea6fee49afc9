using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.Providers.Aws;

namespace PodVm.Providers.Fakes.Ec2;

/// <summary>
/// The real AWS provider (real AWSSDK.EC2, registered through its public DI extension and options validation) pointed
/// at a <see cref="FakeEc2Server"/> on loopback, with short poll and back-off intervals so tests stay fast.
/// </summary>
public sealed class AwsFakeEnvironment : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private AwsFakeEnvironment(FakeEc2Server fake, ServiceProvider services)
    {
        Fake = fake;
        _services = services;
        Provider = services.GetRequiredService<ICloudProvider>();
        Options = services.GetRequiredService<IOptions<AwsProviderOptions>>().Value;
    }

    public FakeEc2Server Fake { get; }

    public ICloudProvider Provider { get; }

    public AwsProviderOptions Options { get; }

    /// <summary>Test settings as configuration keys (relative to Providers:Aws), before overrides.</summary>
    public static Dictionary<string, string?> DefaultSettings(Uri endpoint) => new(StringComparer.Ordinal)
    {
        ["ServiceUrl"] = endpoint.ToString(),
        ["Region"] = "eu-west-1",
        ["ImageId"] = FakeEc2Server.DefaultImageId,
        ["SubnetId"] = FakeEc2Server.DefaultSubnetId,
        ["SecurityGroupIds:0"] = FakeEc2Server.DefaultSecurityGroupId,
        ["AccessKeyId"] = "AKIAFAKEFAKEFAKEFAKE",
        ["SecretAccessKey"] = "fake-secret-access-key-for-tests-only",
        ["RequestTimeout"] = "00:00:02",
        // Generous: a create with a capacity fallback is several EC2 calls, each of which may time out and be retried
        // on a CI machine busy booting VMs (one such create ran out of an 8 s budget in CI). No AWS test waits for it.
        ["CreateTimeout"] = "00:00:20",
        ["PollInterval"] = "00:00:00.020",
        ["BackoffBase"] = "00:00:00.005",
        ["BackoffMax"] = "00:00:00.050",
        ["MaxErrorRetry"] = "1",
        ["MaxAttempts"] = "5",
    };

    public static async Task<AwsFakeEnvironment> StartAsync(
        Action<Dictionary<string, string?>>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        var fake = await FakeEc2Server.StartAsync();
        try
        {
            var settings = DefaultSettings(fake.Endpoint);
            configure?.Invoke(settings);
            var services = FakeProviderServices.Build(AwsProviderOptions.SectionName, settings, loggerFactory, (s, c) => s.AddAwsCloudProvider(c));
            return new AwsFakeEnvironment(fake, services);
        }
        catch
        {
            await fake.DisposeAsync();
            throw;
        }
    }

    /// <summary>A create request for a new sandbox with the tags the adaptor core puts on every VM.</summary>
    public static CreateInstanceRequest Request(string sandboxId, string instanceType = "m6a.large", bool confidential = true, int userDataBytes = 512) =>
        FakeProviderServices.Request(sandboxId, instanceType, confidential, userDataBytes, podName: "web-" + sandboxId[..Math.Min(4, sandboxId.Length)]);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
