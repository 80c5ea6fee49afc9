using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.LocalKvmProvider.Provider;
using PodVm.LocalKvmProvider.Qemu;

namespace PodVm.LocalKvmProvider.Integration.Tests;

/// <summary>Real QEMU (TCG on these machines) booting the real pod VM image through the local provider.</summary>
public sealed class LocalVmTests : IAsyncDisposable
{
    private static readonly TimeSpan VmDeadline = TimeSpan.FromMinutes(5);
    private readonly ImageFixture _fixture;
    private readonly string _root;
    private readonly List<LocalKvmProvider.Provider.LocalKvmProvider> _providers = [];

    public LocalVmTests(ImageFixture fixture)
    {
        _fixture = fixture;
        _root = Directory.CreateTempSubdirectory("pvm-").FullName;
    }

    private string StateDirectory => Path.Combine(_root, "vms");

    private LocalKvmProvider.Provider.LocalKvmProvider NewProvider()
    {
        var image = _fixture.Require();
        Requires.Tool("qemu-system-x86_64", "qemu-system-x86");
        var provider = new LocalKvmProvider.Provider.LocalKvmProvider(Options.Create(new LocalKvmProviderOptions
        {
            StateDirectory = StateDirectory,
            LogDirectory = Path.Combine(_root, "logs"),
            ImageDirectory = image.OutputDirectory,
            BootTimeout = TimeSpan.FromMinutes(4),
            PowerdownTimeout = TimeSpan.FromSeconds(5),
        }));
        _providers.Add(provider);
        return provider;
    }

    private static CreateInstanceRequest Request(string sandbox, string userData = "", int memoryMiB = 160) => new()
    {
        SandboxId = sandbox,
        InstanceName = "podvm-" + sandbox,
        InstanceType = new InstanceType("local.test", 1, memoryMiB),
        UserData = System.Text.Encoding.UTF8.GetBytes(userData),
        Tags = new Dictionary<string, string>
        {
            [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue,
            [InstanceTags.SandboxId] = sandbox,
            [InstanceTags.Node] = "it-node",
        },
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            try
            {
                foreach (var instance in await provider.ListInstancesAsync(new Dictionary<string, string>(), CancellationToken.None).WithTimeout(VmDeadline))
                {
                    await provider.DeleteInstanceAsync(instance.Id, CancellationToken.None).WithTimeout(VmDeadline);
                }
            }
            catch (ObjectDisposedException)
            {
                // Disposed by the test (restart scenario).
            }

            await provider.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task CreateInstanceAsync_RealImage_ReadyOnForwardedPortSideChannelAndConsole()
    {
        var provider = NewProvider();

        var instance = await provider.CreateInstanceAsync(Request("ready", userData: "hello-podvm"), TestContext.Current.CancellationToken).WithTimeout(VmDeadline);

        Assert.Equal(InstanceState.Running, instance.State);
        var address = Assert.Single(instance.Addresses);
        Assert.Equal((AddressKind.HostForward, "127.0.0.1"), (address.Kind, address.Host));
        Assert.True(provider.SideChannel(instance.Id)!.Ready.IsCompletedSuccessfully, "the guest reported ready on the side channel");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var body = await http.GetStringAsync(new Uri($"http://{address}/"), TestContext.Current.CancellationToken).WithTimeout(VmDeadline);
        Assert.Equal("PODVM_READY", body.Trim());
        var console = await File.ReadAllTextAsync(provider.ConsoleLogPath(instance.Id), TestContext.Current.CancellationToken);
        Assert.Contains("PODVM_READY", console, StringComparison.Ordinal);
        Assert.Contains("config: 11 bytes of user data in /run/peerpod/userdata", console, StringComparison.Ordinal);
        Assert.Contains("podvm-init:", console, StringComparison.Ordinal);
        Assert.Matches(@"podvm-init: [0-9.]+ modules\r?\n", console);
        Assert.DoesNotContain("FAILED", console, StringComparison.Ordinal);
        if (provider.Accelerator == Accelerator.Tcg)
        {
            // Off for /init's own programs under TCG, and back on before anything else (containers) starts.
            Assert.Contains("address-space randomisation off until ready (no KVM: QEMU TCG)", console, StringComparison.Ordinal);
            Assert.Contains("address-space randomisation back to 2", console, StringComparison.Ordinal);
            Assert.True(
                console.IndexOf("address-space randomisation back to 2", StringComparison.Ordinal) < console.IndexOf("PODVM_READY", StringComparison.Ordinal),
                "randomisation is restored before the guest says ready");
        }

        // Idempotent: the same sandbox gets the same VM, not a second one.
        var again = await provider.CreateInstanceAsync(Request("ready"), TestContext.Current.CancellationToken).WithTimeout(VmDeadline);
        Assert.Equal(instance.Id, again.Id);
        Assert.Single(Directory.GetDirectories(StateDirectory));
    }

    [Fact]
    public async Task InstanceExited_QemuKilledFromOutside_ReportedWithinASecond()
    {
        var provider = NewProvider();
        var instance = await provider.CreateInstanceAsync(Request("killed"), TestContext.Current.CancellationToken).WithTimeout(VmDeadline);
        var exited = new TaskCompletionSource<InstanceExitedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.InstanceExited += (_, e) => exited.TrySetResult(e);
        var pid = provider.ProcessId(instance.Id)!.Value;

        var stopwatch = Stopwatch.StartNew();
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill();
        }

        var report = await exited.Task.WithTimeout(TimeSpan.FromSeconds(5));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1.5), $"noticed after {stopwatch.Elapsed}");
        Assert.Equal(instance.Id, report.InstanceId);
        Assert.True(File.Exists(report.ConsoleLog), "the console log outlives the VM");
        Assert.Equal(InstanceState.Terminated, (await provider.GetInstanceAsync(instance.Id, TestContext.Current.CancellationToken).WithTimeout(VmDeadline))!.State);
        Assert.True(await provider.DeleteInstanceAsync(instance.Id, TestContext.Current.CancellationToken).WithTimeout(VmDeadline));
    }

    [Fact]
    public async Task DeleteInstanceAsync_RunningVm_NoProcessSocketPortOrDirectoryLeft()
    {
        var provider = NewProvider();
        var instance = await provider.CreateInstanceAsync(Request("deleted"), TestContext.Current.CancellationToken).WithTimeout(VmDeadline);
        var state = provider.GetState(instance.Id)!;
        var directory = Path.Combine(StateDirectory, instance.Id);
        Assert.True(File.Exists(Path.Combine(directory, "qmp.sock")));

        Assert.True(await provider.DeleteInstanceAsync(instance.Id, TestContext.Current.CancellationToken).WithTimeout(VmDeadline));

        Assert.False(HostProcess.IsAlive(state.Pid, state.ProcessStartTime), "QEMU is gone");
        Assert.False(Directory.Exists(directory), "the VM directory (state, sockets, user data) is gone");
        using var listener = new TcpListener(IPAddress.Loopback, state.HostForwardPort);
        listener.Start(); // The forwarded port is free again.
        listener.Stop();
        Assert.Null(await provider.GetInstanceAsync(instance.Id, TestContext.Current.CancellationToken).WithTimeout(VmDeadline));
        Assert.False(await provider.DeleteInstanceAsync(instance.Id, TestContext.Current.CancellationToken).WithTimeout(VmDeadline));
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "logs"), instance.Id + "-*.console.log"));
    }

    [Fact]
    public async Task NewProvider_AfterRestart_AdoptsLiveVmAndCleansDeadVm()
    {
        var first = NewProvider();
        var creates = new[] { "live", "dead" }.Select(s => first.CreateInstanceAsync(Request(s), TestContext.Current.CancellationToken)).ToList();
        var created = await Task.WhenAll(creates).WithTimeout(VmDeadline);
        var live = created[0];
        var dead = first.GetState(created[1].Id)!;
        var livePid = first.ProcessId(live.Id);
        await first.DisposeAsync();
        _providers.Remove(first);
        HostProcess.Kill(dead.Pid, dead.ProcessStartTime);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (HostProcess.IsAlive(dead.Pid, dead.ProcessStartTime))
            {
                await Task.Delay(50, deadline.Token);
            }
        }

        var second = NewProvider();
        var listed = await second.ListInstancesAsync(new Dictionary<string, string> { [InstanceTags.Node] = "it-node" }, TestContext.Current.CancellationToken).WithTimeout(VmDeadline);

        var adopted = Assert.Single(listed);
        Assert.Equal(live.Id, adopted.Id);
        Assert.Equal(InstanceState.Running, adopted.State);
        Assert.Equal(live.Addresses, adopted.Addresses);
        Assert.Equal(livePid, second.ProcessId(live.Id));
        Assert.False(Directory.Exists(Path.Combine(StateDirectory, dead.Id)));
        Assert.Empty(await second.ListInstancesAsync(new Dictionary<string, string> { [InstanceTags.Node] = "other" }, TestContext.Current.CancellationToken).WithTimeout(VmDeadline));
        Assert.True(await second.DeleteInstanceAsync(live.Id, TestContext.Current.CancellationToken).WithTimeout(VmDeadline));
        Assert.Empty(Directory.GetDirectories(StateDirectory));
    }

    [Fact]
    public async Task CreateInstanceAsync_TenConcurrent_AllReadyAndAllDeletedCleanly()
    {
        var provider = NewProvider();
        var sandboxes = Enumerable.Range(0, 10).Select(i => $"many-{i}").ToList();

        var instances = await Task.WhenAll(sandboxes.Select(s => provider.CreateInstanceAsync(Request(s, memoryMiB: 128), TestContext.Current.CancellationToken))).WithTimeout(VmDeadline);

        Assert.All(instances, i => Assert.Equal(InstanceState.Running, i.State));
        Assert.Equal(10, instances.Select(i => i.Addresses[0].Port).Distinct().Count());
        var states = instances.Select(i => provider.GetState(i.Id)!).ToList();

        var deleted = await Task.WhenAll(instances.Select(i => provider.DeleteInstanceAsync(i.Id, TestContext.Current.CancellationToken))).WithTimeout(VmDeadline);

        Assert.All(deleted, Assert.True);
        Assert.All(states, s => Assert.False(HostProcess.IsAlive(s.Pid, s.ProcessStartTime)));
        Assert.Empty(Directory.GetDirectories(StateDirectory));
    }
}
