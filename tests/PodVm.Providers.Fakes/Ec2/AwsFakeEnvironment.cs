using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
        ["CreateTimeout"] = "00:00:08",
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
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(settings.ToDictionary(kv => $"{AwsProviderOptions.SectionName}:{kv.Key}", kv => kv.Value))
                .Build();
            var services = new ServiceCollection()
                .AddSingleton(loggerFactory ?? NullLoggerFactory.Instance)
                .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
                .AddAwsCloudProvider(configuration)
                .BuildServiceProvider();
            services.GetRequiredService<IStartupValidator>().Validate();
            return new AwsFakeEnvironment(fake, services);
        }
        catch
        {
            await fake.DisposeAsync();
            throw;
        }
    }

    /// <summary>A create request for a new sandbox with the tags the adaptor core puts on every VM.</summary>
    public static CreateInstanceRequest Request(string sandboxId, string instanceType = "m6a.large", bool confidential = true, int userDataBytes = 512) => new()
    {
        SandboxId = sandboxId,
        InstanceName = "podvm-web-" + sandboxId[..Math.Min(8, sandboxId.Length)],
        InstanceType = new InstanceType(instanceType, 2, 8192),
        UserData = Enumerable.Range(0, userDataBytes).Select(i => (byte)('a' + (i % 26))).ToArray(),
        Confidential = confidential,
        Tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue,
            [InstanceTags.Cluster] = "test-cluster",
            [InstanceTags.Node] = "node-1",
            [InstanceTags.SandboxId] = sandboxId,
            [InstanceTags.PodName] = "web-" + sandboxId[..Math.Min(4, sandboxId.Length)].ToString(CultureInfo.InvariantCulture),
            [InstanceTags.PodNamespace] = "default",
        },
    };

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
