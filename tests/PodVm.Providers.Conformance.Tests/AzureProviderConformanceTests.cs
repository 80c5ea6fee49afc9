using PodVm.CloudApiAdaptor.Providers;
using PodVm.Providers.Fakes.Arm;

namespace PodVm.Providers.Conformance.Tests;

/// <summary>The conformance suite against the Azure provider (real Azure.ResourceManager.Compute) and the ARM fake.</summary>
public sealed class AzureProviderConformanceTests : ProviderConformanceTests
{
    private AzureFakeEnvironment _env = null!;

    protected override async Task<ICloudProvider> StartAsync()
    {
        _env = await AzureFakeEnvironment.StartAsync().DefaultTimeout();
        return _env.Provider;
    }

    protected override ValueTask StopAsync() => _env.DisposeAsync();

    protected override CreateInstanceRequest NewRequest(string sandboxId, string node = "node-1")
    {
        var request = AzureFakeEnvironment.Request(sandboxId);
        return request with { Tags = new Dictionary<string, string>(request.Tags) { [InstanceTags.Node] = node } };
    }

    protected override void FailNextBoots() => _env.Fake.FailVmCreatesWith = "OSProvisioningTimedOut";

    protected override Task<int> CountLiveResourcesAsync() => Task.FromResult(_env.Fake.ResourceCount);

    protected override void AssertEnvironmentClean() => _env.Fake.Violations.AssertNone();
}
