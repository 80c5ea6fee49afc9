using System.Diagnostics;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.Providers.Fakes.Arm;

namespace PodVm.Providers.Azure.Tests;

/// <summary>The Azure provider through the real ARM SDK against the ARM fake: request shape, LROs, throttling, cleanup.</summary>
public sealed class AzureCloudProviderTests : IAsyncLifetime
{
    private AzureFakeEnvironment _env = null!;

    public async ValueTask InitializeAsync() => _env = await AzureFakeEnvironment.StartAsync().DefaultTimeout();

    public async ValueTask DisposeAsync()
    {
        _env.Fake.Violations.AssertNone();
        await _env.DisposeAsync();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewSandbox() => Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task CreateInstance_Confidential_SendsCvmWithVtpmGuestStateEncryptionAndDeleteOptions()
    {
        var request = AzureFakeEnvironment.Request(NewSandbox());

        var instance = await _env.Provider.CreateInstanceAsync(request, Ct).DefaultTimeout();

        var vm = Assert.Single(_env.Fake.VirtualMachines);
        var properties = vm.Body["properties"]!;
        Assert.Equal("ConfidentialVM", properties["securityProfile"]!["securityType"]!.GetValue<string>());
        Assert.True(properties["securityProfile"]!["uefiSettings"]!["vTpmEnabled"]!.GetValue<bool>());
        Assert.True(properties["securityProfile"]!["uefiSettings"]!["secureBootEnabled"]!.GetValue<bool>());
        var osDisk = properties["storageProfile"]!["osDisk"]!;
        Assert.Equal("VMGuestStateOnly", osDisk["managedDisk"]!["securityProfile"]!["securityEncryptionType"]!.GetValue<string>());
        Assert.Equal("Delete", osDisk["deleteOption"]!.GetValue<string>());
        Assert.Equal("Delete", properties["networkProfile"]!["networkInterfaces"]![0]!["properties"]!["deleteOption"]!.GetValue<string>());
        Assert.Equal(512, Convert.FromBase64String(properties["osProfile"]!["customData"]!.GetValue<string>()).Length);
        Assert.Equal(request.SandboxId, vm.Tags["podvm.io:sandbox-id"]);
        Assert.Equal(request.SandboxId, Assert.Single(_env.Fake.NetworkInterfaces).Tags["podvm.io:sandbox-id"]);
        Assert.Equal(request.InstanceName, instance.Id);
        Assert.Equal(request.SandboxId, instance.Tags[InstanceTags.SandboxId]);
        Assert.StartsWith("192.0.2.", Assert.Single(instance.Addresses).Host, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateInstance_Throttled429_HonoursRetryAfterAndSucceeds()
    {
        _env.Fake.EnqueueFault("PUT virtualMachines", ArmFault.Throttle(retryAfterSeconds: 1), times: 2);
        var stopwatch = Stopwatch.StartNew();

        var instance = await _env.Provider.CreateInstanceAsync(AzureFakeEnvironment.Request(NewSandbox()), Ct).DefaultTimeout();

        Assert.Equal(InstanceState.Running, instance.State);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(1.9), $"Retry-After ignored: {stopwatch.Elapsed}");
        Assert.Equal(3, _env.Fake.RequestCount("PUT virtualMachines"));
    }

    [Fact]
    public async Task CreateInstance_ThrottledBeyondRetries_ThrowsThrottledAndCleansUp()
    {
        _env.Fake.EnqueueFault("PUT virtualMachines", ArmFault.Throttle(retryAfterSeconds: 0), times: 20);

        var error = await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(AzureFakeEnvironment.Request(NewSandbox()), Ct)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.Throttled, error.Reason);
        Assert.Equal(0, _env.Fake.ResourceCount);
    }

    [Fact]
    public async Task CreateInstance_ServerErrorStorm_RecoversWithOneVm()
    {
        _env.Fake.EnqueueFault("PUT networkInterfaces", ArmFault.ServerError(503), times: 3);
        _env.Fake.EnqueueFault("GET operations", ArmFault.ServerError(500), times: 2);

        var instance = await _env.Provider.CreateInstanceAsync(AzureFakeEnvironment.Request(NewSandbox()), Ct).DefaultTimeout();

        Assert.Equal(InstanceState.Running, instance.State);
        Assert.Single(_env.Fake.VirtualMachines);
        Assert.Single(_env.Fake.NetworkInterfaces);
    }

    [Fact]
    public async Task CreateInstance_AllocationFailed_DeletesFailedVmAndFallsBackToNextSize()
    {
        _env.Fake.SizesWithoutCapacity.Add("Standard_DC2as_v5");
        var request = AzureFakeEnvironment.Request(NewSandbox()) with { FallbackInstanceTypes = [new InstanceType("Standard_DC4as_v5", 4, 16384)] };

        var instance = await _env.Provider.CreateInstanceAsync(request, Ct).DefaultTimeout();

        Assert.Equal("Standard_DC4as_v5", instance.InstanceTypeName);
        Assert.Single(_env.Fake.VirtualMachines);
        Assert.Single(_env.Fake.NetworkInterfaces);
        Assert.Single(_env.Fake.Disks);
    }

    [Fact]
    public async Task CreateInstance_AllocationFailedForEverySize_ThrowsInsufficientCapacityAndLeavesNothing()
    {
        _env.Fake.SizesWithoutCapacity.Add("Standard_DC2as_v5");

        var error = await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(AzureFakeEnvironment.Request(NewSandbox()), Ct)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.InsufficientCapacity, error.Reason);
        Assert.Contains("AllocationFailed", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _env.Fake.ResourceCount);
    }

    [Fact]
    public async Task CreateInstance_VmCreateFailsAfterNic_PartialCreateCleanedUp()
    {
        _env.Fake.FailVmCreatesWith = "OSProvisioningTimedOut";

        var error = await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(AzureFakeEnvironment.Request(NewSandbox()), Ct)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.InstanceFailed, error.Reason);
        Assert.Equal(0, _env.Fake.ResourceCount);
        Assert.True(_env.Fake.RequestCount("DELETE virtualMachines") >= 1);
    }

    [Fact]
    public async Task CreateInstance_VmRejected_NicDeleted()
    {
        var request = AzureFakeEnvironment.Request(NewSandbox()) with { Image = FakeArmServer.DefaultImageId.Replace("1.0.0", "9.9.9", StringComparison.Ordinal) };

        var error = await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(request, Ct)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.ImageNotFound, error.Reason);
        Assert.Equal(0, _env.Fake.ResourceCount);
    }

    [Fact]
    public async Task CreateInstance_SlowArm_HitsDeadlineAndCleansUp()
    {
        await using var env = await AzureFakeEnvironment.StartAsync(s => s["CreateTimeout"] = "00:00:03").DefaultTimeout();
        env.Fake.EnqueueFault("GET operations", ArmFault.Slow(TimeSpan.FromSeconds(20)));
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ProviderException>(() => env.Provider.CreateInstanceAsync(AzureFakeEnvironment.Request(NewSandbox()), Ct)).WithTimeout(TimeSpan.FromSeconds(60));

        Assert.Equal(ProviderErrorReason.Timeout, error.Reason);
        Assert.Contains("CreateTimeout", error.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(2.9), $"gave up after {stopwatch.Elapsed}");
        Assert.Equal(0, env.Fake.ResourceCount);
        env.Fake.Violations.AssertNone();
    }

    [Fact]
    public async Task CreateInstance_VmPutAnswerLost_RetriedPutReusesTheVmWithoutASecond()
    {
        await using var env = await AzureFakeEnvironment.StartAsync(s => s["NetworkTimeout"] = "00:00:01").DefaultTimeout();
        env.Fake.EnqueueFault("PUT virtualMachines", ArmFault.SlowAfterWork(TimeSpan.FromSeconds(5)));
        var request = AzureFakeEnvironment.Request(NewSandbox());

        var instance = await env.Provider.CreateInstanceAsync(request, Ct).DefaultTimeout();

        Assert.Equal(InstanceState.Running, instance.State);
        Assert.Equal(2, env.Fake.RequestCount("PUT virtualMachines"));
        Assert.Equal(request.InstanceName, Assert.Single(env.Fake.VirtualMachines).Name);
        Assert.Single(env.Fake.NetworkInterfaces);
        Assert.Single(env.Fake.Disks);
        env.Fake.Violations.AssertNone();
    }

    [Fact]
    public async Task CreateInstance_TimedOutAndCleanupRefused_RetryAdoptsTheSameVm()
    {
        await using var env = await AzureFakeEnvironment.StartAsync(s => s["CreateTimeout"] = "00:00:03").DefaultTimeout();
        env.Fake.EnqueueFault("GET instanceView", ArmFault.Slow(TimeSpan.FromSeconds(20)));
        env.Fake.EnqueueFault("DELETE virtualMachines", ArmFault.ServerError(500), times: 5);
        var request = AzureFakeEnvironment.Request(NewSandbox());

        var error = await Assert.ThrowsAsync<ProviderException>(() => env.Provider.CreateInstanceAsync(request, Ct)).WithTimeout(TimeSpan.FromSeconds(60));
        var leftOver = Assert.Single(env.Fake.VirtualMachines);
        var retried = await env.Provider.CreateInstanceAsync(request, Ct).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.Timeout, error.Reason);
        Assert.Equal(leftOver.Name, retried.Id);
        Assert.Equal(InstanceState.Running, retried.State);
        Assert.Single(env.Fake.VirtualMachines);
        Assert.Single(env.Fake.NetworkInterfaces);
        Assert.Equal(1, env.Fake.RequestCount("PUT virtualMachines"));
        env.Fake.Violations.AssertNone();
    }

    [Fact]
    public async Task CreateInstance_TimedOut_CleanedUpAndRetryCreatesExactlyOneVm()
    {
        await using var env = await AzureFakeEnvironment.StartAsync(s => s["CreateTimeout"] = "00:00:03").DefaultTimeout();
        env.Fake.EnqueueFault("GET instanceView", ArmFault.Slow(TimeSpan.FromSeconds(20)));
        var request = AzureFakeEnvironment.Request(NewSandbox());

        var error = await Assert.ThrowsAsync<ProviderException>(() => env.Provider.CreateInstanceAsync(request, Ct)).WithTimeout(TimeSpan.FromSeconds(60));
        var afterTimeout = env.Fake.ResourceCount;
        var retried = await env.Provider.CreateInstanceAsync(request, Ct).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.Timeout, error.Reason);
        Assert.Equal(0, afterTimeout);
        Assert.Equal(InstanceState.Running, retried.State);
        Assert.Single(env.Fake.VirtualMachines);
        Assert.Single(env.Fake.NetworkInterfaces);
        env.Fake.Violations.AssertNone();
    }

    [Fact]
    public async Task CreateInstance_VmPutServerErrorsBeyondRetries_NicDeletedAndUnavailable()
    {
        _env.Fake.EnqueueFault("PUT virtualMachines", ArmFault.ServerError(500), times: 20);

        var error = await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(AzureFakeEnvironment.Request(NewSandbox()), Ct)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.Unavailable, error.Reason);
        Assert.Equal(1, _env.Fake.RequestCount("PUT networkInterfaces"));
        Assert.Equal(0, _env.Fake.ResourceCount);
    }

    [Fact]
    public async Task GetInstance_ThrottledOnce_HonoursRetryAfterAndReports()
    {
        var instance = await _env.Provider.CreateInstanceAsync(AzureFakeEnvironment.Request(NewSandbox()), Ct).DefaultTimeout();
        _env.Fake.EnqueueFault("GET virtualMachines", ArmFault.Throttle(retryAfterSeconds: 1));
        var stopwatch = Stopwatch.StartNew();

        var fetched = await _env.Provider.GetInstanceAsync(instance.Id, Ct).DefaultTimeout();

        Assert.NotNull(fetched);
        Assert.Equal(instance.Addresses, fetched.Addresses);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(0.9), $"Retry-After ignored: {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task CreateInstance_CustomDataOver64KiB_ThrowsUserDataTooLargeWithoutCallingArm()
    {
        var error = await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(AzureFakeEnvironment.Request(NewSandbox(), userDataBytes: 65536), Ct)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.UserDataTooLarge, error.Reason);
        Assert.Equal(0, _env.Fake.RequestCount("PUT networkInterfaces"));
    }

    [Fact]
    public async Task CreateInstance_TdxSizeWithSevSnpConfigured_ThrowsInvalidConfiguration()
    {
        var error = await Assert.ThrowsAsync<ProviderException>(() => _env.Provider.CreateInstanceAsync(AzureFakeEnvironment.Request(NewSandbox(), "Standard_DC2es_v5"), Ct)).DefaultTimeout();

        Assert.Equal(ProviderErrorReason.InvalidConfiguration, error.Reason);
        Assert.Contains("Providers:Azure:Tee", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListInstances_ManyPages_FindsTaggedOrphans()
    {
        _env.Fake.PageSize = 2;
        var tags = new Dictionary<string, string> { ["podvm.io:managed-by"] = "podvm", ["podvm.io:node"] = "node-9" };
        var expected = Enumerable.Range(0, 5).Select(i => _env.Fake.AddVirtualMachine($"orphan-{i}", tags)).ToHashSet();
        _env.Fake.AddVirtualMachine("other", new Dictionary<string, string> { ["podvm.io:node"] = "node-8" });

        var listed = await _env.Provider.ListInstancesAsync(
            new Dictionary<string, string> { [InstanceTags.ManagedBy] = "podvm", [InstanceTags.Node] = "node-9" }, Ct).DefaultTimeout();

        Assert.Equal(expected, listed.Select(i => i.Id).ToHashSet());
    }

    [Fact]
    public async Task DeleteInstance_OrphanWithNic_DeletesVmNicAndDisk()
    {
        var name = _env.Fake.AddVirtualMachine("orphan-1", new Dictionary<string, string> { ["podvm.io:node"] = "node-9" });

        Assert.True(await _env.Provider.DeleteInstanceAsync(name, Ct).DefaultTimeout());

        Assert.Equal(0, _env.Fake.ResourceCount);
    }

    [Fact]
    public async Task DeleteInstance_Throttled_HonoursRetryAfter()
    {
        var instance = await _env.Provider.CreateInstanceAsync(AzureFakeEnvironment.Request(NewSandbox()), Ct).DefaultTimeout();
        _env.Fake.EnqueueFault("DELETE virtualMachines", ArmFault.Throttle(retryAfterSeconds: 1));

        Assert.True(await _env.Provider.DeleteInstanceAsync(instance.Id, Ct).DefaultTimeout());
        Assert.Equal(0, _env.Fake.ResourceCount);
    }
}
