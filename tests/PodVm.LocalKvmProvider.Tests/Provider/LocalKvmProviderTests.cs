using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.LocalKvmProvider.Provider;
using PodVm.LocalKvmProvider.Tests.Vms;
using PodVm.LocalKvmProvider.Vms;

namespace PodVm.LocalKvmProvider.Tests.Provider;

/// <summary>The provider's behaviour that needs no QEMU: validation, recovery of dead VMs, idempotent delete.</summary>
public sealed class LocalKvmProviderTests : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("podvm-prov-").FullName;
    private readonly LocalKvmProvider.Provider.LocalKvmProvider _provider;

    public LocalKvmProviderTests()
    {
        _provider = new LocalKvmProvider.Provider.LocalKvmProvider(Options.Create(new LocalKvmProviderOptions
        {
            StateDirectory = Path.Combine(_root, "vms"),
            LogDirectory = Path.Combine(_root, "logs"),
            ImageDirectory = Path.Combine(_root, "no-image"),
            Accelerator = "tcg",
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private static CreateInstanceRequest Request(int userDataBytes = 10, bool tpm = false) => new()
    {
        SandboxId = "sandbox-1",
        InstanceName = "podvm-web-1",
        InstanceType = new InstanceType("local.small", 1, 128),
        UserData = new byte[userDataBytes],
        Tags = new Dictionary<string, string> { [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue },
        Tpm = tpm,
    };

    [Fact]
    public async Task CreateInstanceAsync_NoImage_ImageNotFoundNamingTheFix()
    {
        var e = await Assert.ThrowsAsync<ProviderException>(() => _provider.CreateInstanceAsync(Request(), CancellationToken.None).DefaultTimeout());
        Assert.Equal(ProviderErrorReason.ImageNotFound, e.Reason);
        Assert.Contains("podvm image build", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(Path.Combine(_root, "vms")) ? Directory.GetDirectories(Path.Combine(_root, "vms")) : []);
    }

    [Fact]
    public async Task CreateInstanceAsync_UserDataTooLarge_Rejected()
    {
        var e = await Assert.ThrowsAsync<ProviderException>(() => _provider.CreateInstanceAsync(Request(userDataBytes: (1 << 20) + 1), CancellationToken.None).DefaultTimeout());
        Assert.Equal(ProviderErrorReason.UserDataTooLarge, e.Reason);
    }

    [Fact]
    public async Task CreateInstanceAsync_TpmWithoutImage_ImageNotFoundRatherThanRefusingTheTpm()
    {
        // A vTPM is supported (swtpm per VM); what fails here is only the missing image.
        var e = await Assert.ThrowsAsync<ProviderException>(() => _provider.CreateInstanceAsync(Request(tpm: true), CancellationToken.None).DefaultTimeout());
        Assert.Equal(ProviderErrorReason.ImageNotFound, e.Reason);
    }

    [Fact]
    public async Task ListInstancesAsync_DeadVmDirectory_CleanedAndConsoleLogKept()
    {
        var store = new VmStateStore(Path.Combine(_root, "vms"));
        var directory = store.DirectoryFor("vm-dead");
        VmStateStore.Write(directory, VmStateStoreTests.Sample("vm-dead") with { Pid = int.MaxValue, CreatedAt = DateTimeOffset.UtcNow.AddHours(-1) });
        File.WriteAllText(directory.ConsoleLog, "last words\n");

        var listed = await _provider.ListInstancesAsync(new Dictionary<string, string>(), CancellationToken.None).DefaultTimeout();

        Assert.Empty(listed);
        Assert.False(Directory.Exists(directory.Path));
        var kept = Assert.Single(Directory.GetFiles(Path.Combine(_root, "logs")));
        Assert.Equal("last words\n", File.ReadAllText(kept));
    }

    [Fact]
    public async Task DeleteInstanceAsync_Unknown_ReturnsFalse()
    {
        Assert.False(await _provider.DeleteInstanceAsync("vm-nothing", CancellationToken.None).DefaultTimeout());
    }

    [Fact]
    public void InstanceIdFor_SameKey_SameId()
    {
        Assert.Equal(LocalKvmProvider.Provider.LocalKvmProvider.InstanceIdFor("a"), LocalKvmProvider.Provider.LocalKvmProvider.InstanceIdFor("a"));
        Assert.NotEqual(LocalKvmProvider.Provider.LocalKvmProvider.InstanceIdFor("a"), LocalKvmProvider.Provider.LocalKvmProvider.InstanceIdFor("b"));
        Assert.Matches("^vm-[0-9a-f]{12}$", LocalKvmProvider.Provider.LocalKvmProvider.InstanceIdFor("a"));
    }

    [Fact]
    public void InstanceTypes_FromOptions()
    {
        Assert.Contains(_provider.InstanceTypes, t => t is { Name: "local.small", VCpus: 1, MemoryMiB: 256 });
    }
}
