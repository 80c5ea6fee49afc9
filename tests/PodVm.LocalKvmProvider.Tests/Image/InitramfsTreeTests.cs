using System.IO.Compression;
using PodVm.LocalKvmProvider.Image;

namespace PodVm.LocalKvmProvider.Tests.Image;

public sealed class InitramfsTreeTests
{
    private static InitramfsTree Sample(bool reversed)
    {
        var tree = new InitramfsTree();
        var adds = new List<Action>
        {
            () => tree.AddFile("usr/bin/tool", "tool"u8.ToArray(), 0x1ED),
            () => tree.AddSymlink("bin/sh", "/bin/busybox"),
            () => tree.AddFile("init", "#!/bin/sh\n"u8.ToArray(), 0x1ED),
            () => tree.AddCharDevice("dev/console", 0x180, 5, 1),
            () => tree.AddFile("a-b", "x"u8.ToArray(), 0x1A4),
        };
        if (reversed)
        {
            adds.Reverse();
        }

        adds.ForEach(a => a());
        return tree;
    }

    [Fact]
    public void WriteCpio_SameEntriesInAnyOrder_SameBytes()
    {
        using var first = new MemoryStream();
        using var second = new MemoryStream();
        Sample(reversed: false).WriteGzipCpio(first);
        Sample(reversed: true).WriteGzipCpio(second);
        Assert.Equal(first.ToArray(), second.ToArray());
    }

    [Fact]
    public void WriteCpio_Entries_ParentsImplicitAndBeforeChildren()
    {
        using var stream = new MemoryStream();
        Sample(reversed: false).WriteCpio(stream);
        var names = CpioReader.Read(stream.ToArray()).Select(e => e.Name).ToList();
        Assert.Equal(["a-b", "bin", "bin/sh", "dev", "dev/console", "init", "usr", "usr/bin", "usr/bin/tool"], names);
    }

    [Fact]
    public void WriteGzipCpio_Output_IsGzipOfTheCpioWithZeroMtime()
    {
        var tree = Sample(reversed: false);
        using var plain = new MemoryStream();
        using var compressed = new MemoryStream();
        tree.WriteCpio(plain);
        tree.WriteGzipCpio(compressed);
        var bytes = compressed.ToArray();
        Assert.Equal([0x1F, 0x8B], bytes[..2]);
        Assert.Equal([0, 0, 0, 0], bytes[4..8]);
        using var gunzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var roundTrip = new MemoryStream();
        gunzip.CopyTo(roundTrip);
        Assert.Equal(plain.ToArray(), roundTrip.ToArray());
    }

    [Fact]
    public void AddFile_SamePathDifferentContent_Throws()
    {
        var tree = new InitramfsTree();
        tree.AddFile("x", "1"u8.ToArray(), 0x1A4);
        Assert.Throws<InvalidOperationException>(() => tree.AddFile("x", "2"u8.ToArray(), 0x1A4));
    }

    [Fact]
    public void AddDirectory_OverAFile_Throws()
    {
        var tree = new InitramfsTree();
        tree.AddFile("x", "1"u8.ToArray(), 0x1A4);
        Assert.Throws<InvalidOperationException>(() => tree.AddDirectory("x"));
    }

    [Fact]
    public void FileDigests_Files_Sha256ByGuestPath()
    {
        var digests = Sample(reversed: false).FileDigests();
        Assert.Equal(["/a-b", "/init", "/usr/bin/tool"], digests.Keys);
        Assert.Equal("2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881", digests["/a-b"]);
    }
}
