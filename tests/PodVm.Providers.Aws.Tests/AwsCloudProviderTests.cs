using PodVm.CloudApiAdaptor.Providers;
using PodVm.Providers.Fakes.Ec2;

namespace PodVm.Providers.Aws.Tests;

/// <summary>The AWS provider through the real SDK against the EC2 fake: request shape, retries, fallback, deadlines.</summary>
public sealed class AwsCloudProviderTests : IAsyncLifetime
{
    private AwsFakeEnvironment _env = null!;

    public async ValueTask InitializeAsync() => _env = await AwsFakeEnvironment.StartAsync().DefaultTimeout();

    public async ValueTask DisposeAsync()
    {
        _env.Fake.Violations.AssertNone();
        await _env.DisposeAsync();
    }

    private static string NewSandbox() => Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task CreateInstance_Confidential_SendsSevSnpImdsV2EncryptedTaggedRootVolume()
    {
        var sandbox = NewSandbox();

        var instance = await _env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(sandbox), TestContext.Current.CancellationToken).DefaultTimeout();

        var run = Assert.Single(_env.Fake.Requests("RunInstances"));
        Assert.Equal("enabled", run["CpuOptions.AmdSevSnp"]);
        Assert.Equal("required", run["MetadataOptions.HttpTokens"]);
        Assert.Equal("m6a.large", run["InstanceType"]);
        Assert.Equal(FakeEc2Server.DefaultSubnetId, run["SubnetId"]);
        Assert.Equal(FakeEc2Server.DefaultSecurityGroupId, run["SecurityGroupId.1"]);
        Assert.Equal("true", run["BlockDeviceMapping.1.Ebs.Encrypted"]);
        Assert.Equal("20", run["BlockDeviceMapping.1.Ebs.VolumeSize"]);
        Assert.Equal(ClientTokens.For(sandbox, 0), run["ClientToken"]);
        var fakeInstance = Assert.Single(_env.Fake.Instances);
        Assert.Equal(instance.Id, fakeInstance.InstanceId);
        Assert.Equal(sandbox, fakeInstance.Tags[InstanceTags.SandboxId]);
        Assert.Equal("test-cluster", fakeInstance.Tags[InstanceTags.Cluster]);
        Assert.Equal(fakeInstance.Tags, Assert.Single(fakeInstance.Volumes).Tags);
        Assert.Equal(512, Convert.FromBase64String(fakeInstance.UserDataBase64!).Length);
        Assert.Equal(InstanceState.Running, instance.State);
        Assert.Equal(AddressKind.Private, Assert.Single(instance.Addresses).Kind);
        Assert.Equal(InstanceAddress.ForwarderPort, instance.Addresses[0].Port);
    }

    [Fact]
    public async Task CreateInstance_NotConfidential_OmitsSevSnp()
    {
        await _env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(NewSandbox(), "t3.large", confidential: false), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.False(Assert.Single(_env.Fake.Requests("RunInstances")).ContainsKey("CpuOptions.AmdSevSnp"));
    }

    [Fact]
    public async Task CreateInstance_UserDataOver16KiB_ThrowsUserDataTooLargeWithoutCallingEc2()
    {
        var request = AwsFakeEnvironment.Request(NewSandbox(), userDataBytes: 16 * 1024 + 1);

        var error = await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(request, TestContext.Current.CancellationToken)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.UserDataTooLarge, error.Reason);
        Assert.Equal(0, _env.Fake.RequestCount("RunInstances"));
    }

    [Fact]
    public async Task CreateInstance_UserDataExactly16KiB_Accepted()
    {
        var instance = await _env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(NewSandbox(), userDataBytes: 16 * 1024), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal(InstanceState.Running, instance.State);
    }

    [Fact]
    public async Task CreateInstance_RequestLimitExceededSeveralTimes_BacksOffAndSucceeds()
    {
        _env.Fake.EnqueueFault("RunInstances", Ec2Fault.Throttle(), times: 4);
        _env.Fake.EnqueueFault("DescribeInstances", Ec2Fault.Throttle(), times: 2);

        var instance = await _env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(NewSandbox()), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal(InstanceState.Running, instance.State);
        Assert.Equal(5, _env.Fake.RequestCount("RunInstances"));
        Assert.Equal(1, _env.Fake.LiveInstanceCount);
    }

    [Fact]
    public async Task CreateInstance_ThrottledBeyondBudget_ThrowsThrottledAndStartsNothing()
    {
        _env.Fake.EnqueueFault("RunInstances", Ec2Fault.Throttle(), times: 100);

        var error = await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(NewSandbox()), TestContext.Current.CancellationToken)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.Throttled, error.Reason);
        Assert.True(error.IsTransient);
        Assert.Contains("RequestLimitExceeded", error.Message, StringComparison.Ordinal);
        // MaxAttempts (5) of PodVm, each with MaxErrorRetry (1) retry of the SDK.
        Assert.Equal(10, _env.Fake.RequestCount("RunInstances"));
        Assert.Equal(0, _env.Fake.LiveInstanceCount);
    }

    [Fact]
    public async Task CreateInstance_ServerErrorStorm_RecoversWithOneInstance()
    {
        _env.Fake.EnqueueFault("RunInstances", Ec2Fault.ServerError(), times: 3);
        _env.Fake.EnqueueFault("RunInstances", Ec2Fault.Unavailable(), times: 3);

        var instance = await _env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(NewSandbox()), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal(InstanceState.Running, instance.State);
        Assert.Equal(1, _env.Fake.LiveInstanceCount);
    }

    [Fact]
    public async Task CreateInstance_NoCapacityForFirstType_FallsBackToNextAllowedType()
    {
        _env.Fake.TypesWithoutCapacity.Add("m6a.large");
        var request = AwsFakeEnvironment.Request(NewSandbox()) with
        {
            FallbackInstanceTypes = [new InstanceType("c6a.large", 2, 4096), new InstanceType("r6a.large", 2, 16384)],
        };

        var instance = await _env.Provider.CreateInstanceAsync(request, TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal("c6a.large", instance.InstanceTypeName);
        Assert.Equal(1, _env.Fake.LiveInstanceCount);
    }

    [Fact]
    public async Task CreateInstance_NoCapacityForAnyType_ThrowsInsufficientCapacity()
    {
        _env.Fake.TypesWithoutCapacity.Add("m6a.large");
        _env.Fake.TypesWithoutCapacity.Add("c6a.large");
        var request = AwsFakeEnvironment.Request(NewSandbox()) with { FallbackInstanceTypes = [new InstanceType("c6a.large", 2, 4096)] };

        var error = await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(request, TestContext.Current.CancellationToken)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.InsufficientCapacity, error.Reason);
        Assert.Contains("c6a.large", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _env.Fake.LiveInstanceCount);
    }

    [Fact]
    public async Task CreateInstance_RetriedAfterFallback_AdoptsTheFallbackInstance()
    {
        _env.Fake.TypesWithoutCapacity.Add("m6a.large");
        var sandbox = NewSandbox();
        var request = AwsFakeEnvironment.Request(sandbox) with { FallbackInstanceTypes = [new InstanceType("c6a.large", 2, 4096)] };
        var first = await _env.Provider.CreateInstanceAsync(request, TestContext.Current.CancellationToken).DefaultTimeout();
        _env.Fake.TypesWithoutCapacity.Clear();

        var second = await _env.Provider.CreateInstanceAsync(request, TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(1, _env.Fake.LiveInstanceCount);
    }

    [Fact]
    public async Task CreateInstance_AnswerLostAfterLaunch_RetryAdoptsWithoutSecondInstance()
    {
        // EC2 launches, but the answer comes after the client's request timeout: the SDK/provider retries with the
        // same client token and EC2 answers with the first launch.
        _env.Fake.EnqueueFault("RunInstances", Ec2Fault.SlowAfterWork(TimeSpan.FromSeconds(5)));

        var instance = await _env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(NewSandbox()), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.True(_env.Fake.RequestCount("RunInstances") >= 2);
        Assert.Equal(instance.Id, Assert.Single(_env.Fake.Instances).InstanceId);
    }

    [Fact]
    public async Task CreateInstance_VmFailsToBoot_ThrowsInstanceFailedAndTerminates()
    {
        _env.Fake.FailBoot = true;

        var error = await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(NewSandbox()), TestContext.Current.CancellationToken)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.InstanceFailed, error.Reason);
        Assert.Equal(0, _env.Fake.LiveInstanceCount);
    }

    [Fact]
    public async Task CreateInstance_RetriedAfterCleanedUpFailure_LaunchesWithNextTokenGeneration()
    {
        var sandbox = NewSandbox();
        _env.Fake.FailBoot = true;
        await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(sandbox), TestContext.Current.CancellationToken)).DefaultTimeout();
        _env.Fake.FailBoot = false;

        var instance = await _env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(sandbox), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal(InstanceState.Running, instance.State);
        Assert.Equal(1, _env.Fake.LiveInstanceCount);
        Assert.Equal(ClientTokens.For(sandbox, 1), _env.Fake.Instances.Single(i => i.InstanceId == instance.Id).ClientToken);
    }

    [Fact]
    public async Task CreateInstance_UnknownImage_ThrowsImageNotFound()
    {
        var request = AwsFakeEnvironment.Request(NewSandbox()) with { Image = "ami-00000000000000000" };

        var error = await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(request, TestContext.Current.CancellationToken)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.ImageNotFound, error.Reason);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task CreateInstance_UnknownSubnet_ThrowsInvalidConfigurationNamingSettings()
    {
        await using var env = await AwsFakeEnvironment.StartAsync(s => s["SubnetId"] = "subnet-0000000000000000f").DefaultTimeout();

        var error = await Assert.ThrowsAsync<ProviderException>(() => env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(NewSandbox()), TestContext.Current.CancellationToken)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.InvalidConfiguration, error.Reason);
        Assert.Contains("InvalidSubnetID.NotFound", error.Message, StringComparison.Ordinal);
        Assert.Contains("Providers:Aws", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateInstance_PublicAddressConfigured_ReportsPublicAddress()
    {
        await using var env = await AwsFakeEnvironment.StartAsync(s => s["UsePublicAddress"] = "true").DefaultTimeout();

        var instance = await env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(NewSandbox()), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal(AddressKind.Public, Assert.Single(instance.Addresses).Kind);
        Assert.StartsWith("198.51.100.", instance.Addresses[0].Host, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListInstances_ManyPages_ReturnsEveryMatchExceptTerminated()
    {
        _env.Fake.ForcedPageSize = 5;
        var tags = new Dictionary<string, string> { [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue, [InstanceTags.Node] = "node-7" };
        var expected = Enumerable.Range(0, 12).Select(_ => _env.Fake.AddInstance("m6a.large", tags)).ToHashSet();
        _env.Fake.AddInstance("m6a.large", tags, state: "terminated");
        _env.Fake.AddInstance("m6a.large", new Dictionary<string, string> { [InstanceTags.Node] = "node-8" });

        var listed = await _env.Provider.ListInstancesAsync(tags, TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal(expected, listed.Select(i => i.Id).ToHashSet());
        Assert.True(_env.Fake.RequestCount("DescribeInstances") >= 3);
    }

    [Fact]
    public async Task DeleteInstance_OrphanFoundByTag_TerminatesItAndItsVolume()
    {
        var sandbox = NewSandbox();
        await _env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(sandbox), TestContext.Current.CancellationToken).DefaultTimeout();
        var orphan = Assert.Single(await _env.Provider.ListInstancesAsync(
            new Dictionary<string, string> { [InstanceTags.SandboxId] = sandbox }, TestContext.Current.CancellationToken).DefaultTimeout());

        Assert.True(await _env.Provider.DeleteInstanceAsync(orphan.Id, TestContext.Current.CancellationToken).DefaultTimeout());
        await _env.Provider.GetInstanceAsync(orphan.Id, TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal(0, _env.Fake.LiveInstanceCount);
        Assert.Equal(0, _env.Fake.LiveVolumeCount);
    }

    [Fact]
    public async Task DeleteInstance_Throttled_Retries()
    {
        var instance = await _env.Provider.CreateInstanceAsync(AwsFakeEnvironment.Request(NewSandbox()), TestContext.Current.CancellationToken).DefaultTimeout();
        _env.Fake.EnqueueFault("TerminateInstances", Ec2Fault.Throttle(), times: 3);

        Assert.True(await _env.Provider.DeleteInstanceAsync(instance.Id, TestContext.Current.CancellationToken).DefaultTimeout());
        Assert.Equal(0, _env.Fake.LiveInstanceCount);
    }
}
