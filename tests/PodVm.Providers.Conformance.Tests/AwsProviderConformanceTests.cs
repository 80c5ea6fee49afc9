using PodVm.CloudApiAdaptor.Providers;
using PodVm.Providers.Fakes.Ec2;

namespace PodVm.Providers.Conformance.Tests;

/// <summary>The conformance suite against the AWS provider (real AWSSDK.EC2) and the EC2 fake.</summary>
public sealed class AwsProviderConformanceTests : ProviderConformanceTests
{
    private AwsFakeEnvironment _env = null!;

    protected override async Task<ICloudProvider> StartAsync()
    {
        _env = await AwsFakeEnvironment.StartAsync().DefaultTimeout();
        return _env.Provider;
    }

    protected override ValueTask StopAsync() => _env.DisposeAsync();

    protected override CreateInstanceRequest NewRequest(string sandboxId, string node = "node-1")
    {
        var request = AwsFakeEnvironment.Request(sandboxId);
        return request with { Tags = new Dictionary<string, string>(request.Tags) { [InstanceTags.Node] = node } };
    }

    protected override void FailNextBoots() => _env.Fake.FailBoot = true;

    protected override Task<int> CountLiveResourcesAsync() => Task.FromResult(_env.Fake.LiveInstanceCount + _env.Fake.LiveVolumeCount);

    protected override void AssertEnvironmentClean() => _env.Fake.Violations.AssertNone();
}
