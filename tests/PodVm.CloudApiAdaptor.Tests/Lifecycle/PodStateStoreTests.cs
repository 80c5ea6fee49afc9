using Microsoft.Extensions.Logging.Abstractions;
using PodVm.CloudApiAdaptor.Lifecycle;

namespace PodVm.CloudApiAdaptor.Tests.Lifecycle;

public sealed class PodStateStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("caa-store-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string PodsDirectory => Path.Combine(_root, "pods");

    private static PodRecord Record(string sandboxId, PodState state = PodState.Running) => new()
    {
        SandboxId = sandboxId,
        PodName = "web",
        PodNamespace = "default",
        InstanceName = "podvm-web-" + sandboxId,
        InstanceTypeName = "medium",
        VCpus = 2,
        MemoryMiB = 512,
        FallbackInstanceTypes = ["large"],
        Image = "img",
        NetworkNamespace = "/var/run/netns/cni-1",
        InitData = "H4sI",
        State = state,
        InstanceId = "i-9",
        ForwarderHost = "10.0.0.5",
        ForwarderPort = 15150,
        CreatedAt = new DateTimeOffset(2026, 11, 27, 11, 0, 0, TimeSpan.Zero),
        StartedAt = new DateTimeOffset(2026, 11, 27, 11, 1, 0, TimeSpan.Zero),
        LastError = null,
    };

    [Fact]
    public void SaveThenLoadAll_Record_RoundTripsEveryField()
    {
        var store = new PodStateStore(_root, NullLogger.Instance);
        var record = Record("abc123");

        store.Save(record);
        var loaded = Assert.Single(new PodStateStore(_root, NullLogger.Instance).LoadAll());

        Assert.Equal(record with { FallbackInstanceTypes = loaded.FallbackInstanceTypes }, loaded);
        Assert.Equal(["large"], loaded.FallbackInstanceTypes);
    }

    [Fact]
    public void Save_Twice_LatestWinsAndNoTempFilesLeft()
    {
        var store = new PodStateStore(_root, NullLogger.Instance);

        store.Save(Record("abc", PodState.Starting));
        store.Save(Record("abc", PodState.Running));

        Assert.Equal(PodState.Running, Assert.Single(store.LoadAll()).State);
        Assert.Equal(["abc.json"], Directory.GetFiles(PodsDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public void LoadAll_CorruptFile_MovedAsideAndOthersLoaded()
    {
        var store = new PodStateStore(_root, NullLogger.Instance);
        store.Save(Record("good"));
        File.WriteAllText(Path.Combine(PodsDirectory, "torn.json"), "{\"sandboxId\": \"torn\", \"sta");

        var loaded = store.LoadAll();

        Assert.Equal("good", Assert.Single(loaded).SandboxId);
        Assert.True(File.Exists(Path.Combine(PodsDirectory, "torn.json.corrupt")));
        Assert.False(File.Exists(Path.Combine(PodsDirectory, "torn.json")));
        Assert.Single(store.LoadAll());
    }

    [Fact]
    public void LoadAll_RecordUnderAnotherName_MovedAside()
    {
        var store = new PodStateStore(_root, NullLogger.Instance);
        store.Save(Record("real"));
        File.Copy(Path.Combine(PodsDirectory, "real.json"), Path.Combine(PodsDirectory, "impostor.json"));

        var loaded = store.LoadAll();

        Assert.Equal("real", Assert.Single(loaded).SandboxId);
        Assert.True(File.Exists(Path.Combine(PodsDirectory, "impostor.json.corrupt")));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("päd")]
    public void Save_UnusualSandboxId_StaysInsideDirectoryAndRoundTrips(string sandboxId)
    {
        var store = new PodStateStore(_root, NullLogger.Instance);

        store.Save(Record(sandboxId));

        var file = Assert.Single(Directory.GetFiles(PodsDirectory));
        Assert.Matches("^[0-9a-f]{64}\\.json$", Path.GetFileName(file));
        Assert.Equal(sandboxId, Assert.Single(store.LoadAll()).SandboxId);
        Assert.Single(Directory.GetFileSystemEntries(_root));

        store.Delete(sandboxId);
        Assert.Empty(Directory.GetFiles(PodsDirectory));
    }

    [Fact]
    public void Delete_MissingRecord_NoError()
    {
        var store = new PodStateStore(_root, NullLogger.Instance);

        store.Delete("never-saved");

        Assert.Empty(store.LoadAll());
    }

    [Fact]
    public void AtomicFile_Write_ReplacesContentWithModeAndNoTempLeft()
    {
        var path = Path.Combine(_root, "sub", "file.bin");

        AtomicFile.Write(path, [1, 2, 3]);
        AtomicFile.Write(path, [4, 5]);

        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["file.bin"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void AtomicFile_TargetIsDirectory_ThrowsAndLeavesNoTemp()
    {
        var path = Path.Combine(_root, "occupied");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<Exception>(() => AtomicFile.Write(path, [1]));

        Assert.Equal(["occupied"], Directory.GetFileSystemEntries(_root).Select(Path.GetFileName));
    }
}
