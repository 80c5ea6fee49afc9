using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.LocalKvmProvider.Provider;

namespace PodVm.Providers.Conformance.Tests;

/// <summary>
/// The conformance suite against the local provider: real QEMU (TCG on these machines) booting the pod VM image
/// built without guest programs. A failed create boots a copy of the image whose kernel is not one. Every VM a test
/// leaves is deleted when it ends; skipped with the reason when QEMU or the image build is unavailable.
/// </summary>
public sealed class LocalProviderConformanceTests : ProviderConformanceTests, IClassFixture<LocalImageFixture>
{
    private readonly LocalImageFixture _fixture;
    private readonly string _root;
    private LocalKvmProvider.Provider.LocalKvmProvider? _provider;
    private bool _failNext;

    public LocalProviderConformanceTests(LocalImageFixture fixture)
    {
        _fixture = fixture;
        fixture.Require();
        _root = Directory.CreateDirectory(Path.Combine(fixture.WorkRoot, Guid.NewGuid().ToString("N"))).FullName;
    }

    /// <summary>Each VM boots in ~5-10 s under TCG on 2 cores; three at once is enough to test concurrency.</summary>
    protected override int ConcurrentCreates => 3;

    protected override TimeSpan CreateDeadline => TimeSpan.FromMinutes(3);

    protected override TimeSpan ConcurrentCreateDeadline => TimeSpan.FromMinutes(5);

    private string StateDirectory => Path.Combine(_root, "vms");

    protected override Task<ICloudProvider> StartAsync()
    {
        _provider = new LocalKvmProvider.Provider.LocalKvmProvider(Options.Create(new LocalKvmProviderOptions
        {
            StateDirectory = StateDirectory,
            LogDirectory = Path.Combine(_root, "logs"),
            ImageDirectory = _fixture.Image!.OutputDirectory,
            BootTimeout = TimeSpan.FromMinutes(2),
            PowerdownTimeout = TimeSpan.FromSeconds(2),
        }));
        return Task.FromResult<ICloudProvider>(_provider);
    }

    protected override async ValueTask StopAsync()
    {
        if (_provider is null)
        {
            return;
        }

        try
        {
            foreach (var instance in await _provider.ListInstancesAsync(new Dictionary<string, string>(), CancellationToken.None).DefaultTimeout())
            {
                await _provider.DeleteInstanceAsync(instance.Id, CancellationToken.None).WithTimeout(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            await _provider.DisposeAsync();
            Directory.Delete(_root, recursive: true);
        }
    }

    protected override CreateInstanceRequest NewRequest(string sandboxId, string node = "node-1")
    {
        var image = _failNext ? _fixture.BrokenImageDirectory : null;
        _failNext = false;
        return new CreateInstanceRequest
        {
            SandboxId = sandboxId,
            InstanceName = "podvm-conf-" + sandboxId[..8],
            InstanceType = new InstanceType("local.test", 1, 160),
            Image = image,
            UserData = "{}"u8.ToArray(),
            Tags = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue,
                [InstanceTags.Cluster] = "conformance",
                [InstanceTags.Node] = node,
                [InstanceTags.SandboxId] = sandboxId,
                [InstanceTags.PodName] = "web",
                [InstanceTags.PodNamespace] = "default",
            },
        };
    }

    protected override void FailNextBoots() => _failNext = true;

    /// <summary>VM directories (each owns a QEMU process, sockets and a forwarded port) that still exist.</summary>
    protected override Task<int> CountLiveResourcesAsync() =>
        Task.FromResult(Directory.Exists(StateDirectory) ? Directory.GetDirectories(StateDirectory).Length : 0);
}
