using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.LocalKvmProvider.Image;
using PodVm.LocalKvmProvider.Provider;
using PodVm.LocalKvmProvider.Qemu;

namespace PodVm.LocalKvmProvider.Integration.Tests;

/// <summary>A pod VM with a vTPM through the local provider: swtpm per VM, q35 + bzImage + TPM CRB, cleaned up on delete.</summary>
public sealed class LocalVmTpmTests : IAsyncDisposable
{
    private static readonly TimeSpan VmDeadline = TimeSpan.FromMinutes(5);
    private readonly ImageFixture _fixture;
    private readonly string _root = Directory.CreateTempSubdirectory("pvm-tpm-").FullName;
    private LocalKvmProvider.Provider.LocalKvmProvider? _provider;

    public LocalVmTpmTests(ImageFixture fixture) => _fixture = fixture;

    public async ValueTask DisposeAsync()
    {
        if (_provider is { } provider)
        {
            foreach (var instance in await provider.ListInstancesAsync(new Dictionary<string, string>(), CancellationToken.None).WithTimeout(VmDeadline))
            {
                await provider.DeleteInstanceAsync(instance.Id, CancellationToken.None).WithTimeout(VmDeadline);
            }

            await provider.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task CreateInstanceAsync_TpmRequested_SwtpmBesideQemuBootingBzImageAndGoneAfterDelete()
    {
        var image = _fixture.Require();
        Requires.Tool("qemu-system-x86_64", "qemu-system-x86");
        Requires.Tool("swtpm", "swtpm");
        var logs = Path.Combine(_root, "logs");
        _provider = new LocalKvmProvider.Provider.LocalKvmProvider(Options.Create(new LocalKvmProviderOptions
        {
            StateDirectory = Path.Combine(_root, "vms"),
            LogDirectory = logs,
            ImageDirectory = image.OutputDirectory,
            BootTimeout = TimeSpan.FromMinutes(4),
            PowerdownTimeout = TimeSpan.FromSeconds(5),
        }));
        var ct = TestContext.Current.CancellationToken;

        var instance = await _provider.CreateInstanceAsync(
            new CreateInstanceRequest
            {
                SandboxId = "vtpm",
                InstanceName = "podvm-vtpm",
                InstanceType = new InstanceType("local.test", 1, 256),
                UserData = "tpm"u8.ToArray(),
                Tags = new Dictionary<string, string> { [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue, [InstanceTags.SandboxId] = "vtpm" },
                Tpm = true,
            },
            ct).WithTimeout(VmDeadline);

        Assert.Equal(InstanceState.Running, instance.State);
        var state = _provider.GetState(instance.Id)!;
        Assert.True(state.Tpm);
        Assert.True(HostProcess.IsAlive(state.SwtpmPid, state.SwtpmStartTime), "swtpm runs beside QEMU");
        Assert.Equal(image.Manifest.LaunchDigests[ImageManifest.BzImageBoot].Sha384, state.LaunchDigest);
        Assert.EndsWith(ImageBuilder.VmlinuzFile, state.Kernel, StringComparison.Ordinal);
        var qemuArgs = (await File.ReadAllTextAsync($"/proc/{state.Pid}/cmdline", ct)).Split('\0');
        Assert.Contains("tpm-crb,tpmdev=tpm0", qemuArgs);
        Assert.Contains("q35", qemuArgs);

        Assert.True(await _provider.DeleteInstanceAsync(instance.Id, ct).WithTimeout(VmDeadline));

        Assert.False(HostProcess.IsAlive(state.SwtpmPid, state.SwtpmStartTime), "swtpm is gone after delete");
        Assert.Single(Directory.GetFiles(logs, $"{instance.Id}-*.swtpm.log"));
    }
}
