using System.Text.Json;
using PodVm.GuestAgent.Images;

namespace PodVm.GuestAgent.Tests.Images;

public sealed class OciLayoutTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("podvm-oci-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IReadOnlyList<OciLayerEntry> Entries() => OciLayoutWriter.BusyboxEntries("#!fake busybox\n"u8.ToArray(), ["sh", "echo", "cat"]);

    [Fact]
    public void Write_SameInput_SameDigest()
    {
        var a = OciLayoutWriter.Write(Path.Combine(_dir, "a"), Entries(), new OciImageConfig { Cmd = ["sh"] });
        var b = OciLayoutWriter.Write(Path.Combine(_dir, "b"), Entries().Reverse(), new OciImageConfig { Cmd = ["sh"] });

        Assert.Equal(a, b);
        Assert.StartsWith("sha256:", a, StringComparison.Ordinal);
    }

    [Fact]
    public void Unpack_WrittenLayout_RestoresTreeAndConfig()
    {
        var layout = Path.Combine(_dir, "busybox");
        OciLayoutWriter.Write(layout, Entries(), new OciImageConfig { Cmd = ["sh"], WorkingDir = "/tmp" }, "1.36");
        var rootfs = Path.Combine(_dir, "rootfs");

        var config = OciLayoutUnpacker.Unpack(layout, "1.36", rootfs);

        Assert.Equal("#!fake busybox\n", File.ReadAllText(Path.Combine(rootfs, "bin/busybox")));
        Assert.Equal("busybox", new FileInfo(Path.Combine(rootfs, "bin/sh")).LinkTarget);
        Assert.True(Directory.Exists(Path.Combine(rootfs, "proc")));
        Assert.Equal(new[] { "sh" }, config.Cmd);
        Assert.Equal("/tmp", config.WorkingDir);
        Assert.True((File.GetUnixFileMode(Path.Combine(rootfs, "bin/busybox")) & UnixFileMode.UserExecute) != 0);
    }

    [Fact]
    public void Unpack_TamperedLayer_RefusedByDigest()
    {
        var layout = Path.Combine(_dir, "busybox");
        OciLayoutWriter.Write(layout, Entries(), new OciImageConfig());
        using var manifestIndex = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        var blobs = Directory.GetFiles(Path.Combine(layout, "blobs", "sha256"));
        var layer = blobs.OrderByDescending(f => new FileInfo(f).Length).First();
        var bytes = File.ReadAllBytes(layer);
        bytes[^5] ^= 0xff;
        File.WriteAllBytes(layer, bytes);

        var ex = Assert.Throws<OciImageException>(() => OciLayoutUnpacker.Unpack(layout, "latest", Path.Combine(_dir, "rootfs")));

        Assert.Contains("does not match its digest", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unpack_MissingBlob_Refused()
    {
        var layout = Path.Combine(_dir, "busybox");
        OciLayoutWriter.Write(layout, Entries(), new OciImageConfig());
        foreach (var f in Directory.GetFiles(Path.Combine(layout, "blobs", "sha256")).OrderByDescending(f => new FileInfo(f).Length).Take(1))
        {
            File.Delete(f);
        }

        Assert.Throws<OciImageException>(() => OciLayoutUnpacker.Unpack(layout, "latest", Path.Combine(_dir, "rootfs")));
    }

    [Fact]
    public void Unpack_NoLayout_Refused() =>
        Assert.Throws<OciImageException>(() => OciLayoutUnpacker.Unpack(Path.Combine(_dir, "none"), "latest", Path.Combine(_dir, "rootfs")));

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../x")]
    public void SafePath_Escaping_Refused(string name) =>
        Assert.Throws<OciImageException>(() => OciLayoutUnpacker.SafePath(_dir, name));

    [Fact]
    public void SafePath_ThroughSymlink_Refused()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "r"));
        File.CreateSymbolicLink(Path.Combine(_dir, "r", "link"), "/etc");

        Assert.Throws<OciImageException>(() => OciLayoutUnpacker.SafePath(Path.Combine(_dir, "r"), "link/passwd"));
    }

    [Theory]
    [InlineData("docker.io/library/busybox:1.36", "busybox", "1.36")]
    [InlineData("busybox", "busybox", "latest")]
    [InlineData("localhost:5000/team/app@sha256:abcd", "app", "latest")]
    [InlineData("quay.io/x/y:v1@sha256:abcd", "y", "v1")]
    public void Split_References(string reference, string name, string tag) =>
        Assert.Equal((name, tag), OciImageReference.Split(reference));
}
