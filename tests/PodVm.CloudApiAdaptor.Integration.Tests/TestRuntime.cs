using PodVm.LocalKvmProvider.Qemu;
using PodVm.LocalKvmProvider.Vms;

namespace PodVm.CloudApiAdaptor.Integration.Tests;

/// <summary>
/// A test's private runtime directory (short, under /tmp: unix socket paths hold 108 bytes): hypervisor socket,
/// pods, adaptor state and the local provider's VM directories, with a cluster name of its own so no other
/// adaptor on this machine reconciles its VMs. Disposing kills every adaptor it started and every QEMU left in
/// its VM directory, then removes the directory, whatever the test's outcome.
/// </summary>
internal sealed class TestRuntime : IAsyncDisposable
{
    private readonly List<AdaptorProcess> _adaptors = [];

    public TestRuntime(string imageDirectory)
    {
        Root = Directory.CreateTempSubdirectory("caa-it-").FullName;
        ImageDirectory = imageDirectory;
        ClusterName = "caa-it-" + Path.GetFileName(Root).Replace("caa-it-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
    }

    public string Root { get; }

    public string ImageDirectory { get; }

    public string ClusterName { get; }

    public string HypervisorSocket => Path.Combine(Root, "hypervisor.sock");

    public string PodsDirectory => Path.Combine(Root, "pods");

    public string StateDirectory => Path.Combine(Root, "state");

    public string VmsDirectory => Path.Combine(Root, "vms");

    public string VmLogDirectory => Path.Combine(Root, "vm-logs");

    public void Track(AdaptorProcess adaptor)
    {
        lock (_adaptors)
        {
            _adaptors.Add(adaptor);
        }
    }

    /// <summary>The VM directories of the local provider with their recorded state (QEMU pid among it).</summary>
    public IReadOnlyList<(VmDirectory Directory, VmState? State)> Vms() =>
        [.. new VmStateStore(VmsDirectory).EnumerateDirectories().Select(d => (d, VmStateStore.TryRead(d)))];

    public static bool IsAlive(VmState state) => HostProcess.IsAlive(state.Pid, state.ProcessStartTime);

    public async ValueTask DisposeAsync()
    {
        foreach (var adaptor in _adaptors)
        {
            await adaptor.DisposeAsync();
        }

        foreach (var (_, state) in Vms())
        {
            if (state is not null)
            {
                HostProcess.Kill(state.Pid, state.ProcessStartTime);
            }
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A socket of a process that is still exiting; /tmp is cleaned by the OS.
        }
    }
}
