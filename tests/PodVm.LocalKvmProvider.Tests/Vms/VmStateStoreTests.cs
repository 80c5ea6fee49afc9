using PodVm.LocalKvmProvider.Vms;

namespace PodVm.LocalKvmProvider.Tests.Vms;

public sealed class VmStateStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("podvm-state-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    internal static VmState Sample(string id = "vm-0123456789ab") => new()
    {
        Id = id,
        Name = "podvm-web-1",
        IdempotencyKey = "sandbox-1",
        Tags = new Dictionary<string, string> { ["podvm.io/managed-by"] = "podvm", ["podvm.io/node"] = "n1" },
        InstanceTypeName = "local.small",
        VCpus = 1,
        MemoryMiB = 256,
        ImageDirectory = "/var/lib/podvm/image",
        Kernel = "/var/lib/podvm/image/vmlinux",
        Initrd = "/var/lib/podvm/image/initrd.img",
        CommandLine = "console=ttyS0",
        LaunchDigest = "aa",
        Accelerator = "TCG",
        HostForwardPort = 40000,
        Pid = 1234,
        ProcessStartTime = 5678,
        CreatedAt = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void Write_ThenRead_RoundTrips()
    {
        var store = new VmStateStore(_root);
        var directory = store.DirectoryFor("vm-0123456789ab");
        VmStateStore.Write(directory, Sample());

        var read = VmStateStore.TryRead(directory);

        Assert.NotNull(read);
        Assert.Equal(VmStateStore.Serialize(Sample()), VmStateStore.Serialize(read));
        Assert.Equal("n1", read.Tags["podvm.io/node"]);
        Assert.False(File.Exists(directory.StateFile + ".tmp"));
    }

    [Fact]
    public void Write_Twice_ReplacesWholeFile()
    {
        var directory = new VmStateStore(_root).DirectoryFor("vm-1");
        VmStateStore.Write(directory, Sample("vm-1") with { Name = new string('x', 5000) });
        VmStateStore.Write(directory, Sample("vm-1") with { Pid = 42 });
        Assert.Equal(42, VmStateStore.TryRead(directory)!.Pid);
        Assert.Equal("podvm-web-1", VmStateStore.TryRead(directory)!.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"id\": ")]
    [InlineData("{}")]
    public void TryRead_CorruptOrIncomplete_ReturnsNull(string content)
    {
        var directory = new VmStateStore(_root).DirectoryFor("vm-2");
        Directory.CreateDirectory(directory.Path);
        File.WriteAllText(directory.StateFile, content);
        Assert.Null(VmStateStore.TryRead(directory));
    }

    [Fact]
    public void TryRead_NoStateFile_ReturnsNull()
    {
        Assert.Null(VmStateStore.TryRead(new VmStateStore(_root).DirectoryFor("vm-none")));
    }

    [Fact]
    public void EnumerateDirectories_SortedById()
    {
        var store = new VmStateStore(_root);
        Directory.CreateDirectory(Path.Combine(_root, "vm-b"));
        Directory.CreateDirectory(Path.Combine(_root, "vm-a"));
        Assert.Equal(["vm-a", "vm-b"], store.EnumerateDirectories().Select(d => d.Id));
    }
}
