using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
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
    public async Task ListInstancesAsync_LogsPastRetention_DeletedAtMostOncePerPruneInterval()
    {
        var logs = Path.Combine(_root, "logs");
        Directory.CreateDirectory(logs);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var provider = new LocalKvmProvider.Provider.LocalKvmProvider(
            Options.Create(new LocalKvmProviderOptions
            {
                StateDirectory = Path.Combine(_root, "vms"),
                LogDirectory = logs,
                ImageDirectory = Path.Combine(_root, "no-image"),
                Accelerator = "tcg",
                LogRetention = TimeSpan.FromHours(1),
            }),
            timeProvider: time);
        string Log(string name, TimeSpan age)
        {
            var path = Path.Combine(logs, name);
            File.WriteAllText(path, name);
            File.SetLastWriteTimeUtc(path, (time.GetUtcNow() - age).UtcDateTime);
            return path;
        }

        var expired = Log("vm-old-20261127T000000.console.log", TimeSpan.FromHours(2));
        var expiredTpm = Log("vm-old-20261127T000000.swtpm.log", TimeSpan.FromHours(2));
        var young = Log("vm-young-20261128T000000.console.log", TimeSpan.FromMinutes(59));
        var other = Log("notes.txt", TimeSpan.FromDays(3));

        await provider.ListInstancesAsync(new Dictionary<string, string>(), CancellationToken.None).DefaultTimeout();
        Assert.False(File.Exists(expired));
        Assert.False(File.Exists(expiredTpm));
        Assert.True(File.Exists(young));
        Assert.True(File.Exists(other));

        // Within the interval the directory is not looked at again, so a log that expires now is still there...
        var expiredLater = Log("vm-later-20261127T010000.console.log", TimeSpan.FromHours(2));
        time.Advance(LocalKvmProvider.Provider.LocalKvmProvider.LogPruneInterval - TimeSpan.FromSeconds(1));
        await provider.ListInstancesAsync(new Dictionary<string, string>(), CancellationToken.None).DefaultTimeout();
        Assert.True(File.Exists(expiredLater));

        // ...and the first call after it deletes it, with the young log that has now passed its hour too.
        time.Advance(TimeSpan.FromSeconds(2));
        await provider.ListInstancesAsync(new Dictionary<string, string>(), CancellationToken.None).DefaultTimeout();
        Assert.False(File.Exists(expiredLater));
        Assert.False(File.Exists(young));
        Assert.True(File.Exists(other));
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
    public async Task ListInstancesAsync_DirectoryWithoutStateYet_LeftToItsCreator_CleanedOnceStale()
    {
        // Another process creating a VM makes the directory and writes the user data before the state file.
        var directory = new VmStateStore(Path.Combine(_root, "vms")).DirectoryFor("vm-creating");
        Directory.CreateDirectory(directory.Path);
        File.WriteAllText(directory.UserDataFile, "secret user data");

        await _provider.ListInstancesAsync(new Dictionary<string, string>(), CancellationToken.None).DefaultTimeout();
        Assert.True(File.Exists(directory.UserDataFile));

        Directory.SetLastWriteTimeUtc(directory.Path, DateTime.UtcNow.AddHours(-1));
        await _provider.ListInstancesAsync(new Dictionary<string, string>(), CancellationToken.None).DefaultTimeout();
        Assert.False(Directory.Exists(directory.Path));
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
