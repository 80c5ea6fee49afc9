using System.Diagnostics;
using PodVm.LocalKvmProvider.Image;

namespace PodVm.LocalKvmProvider.Tests.Image;

public sealed class CpioWriterTests
{
    [Fact]
    public void WriteFile_OddLengths_PadsHeaderAndDataToFourBytes()
    {
        using var stream = new MemoryStream();
        var writer = new CpioWriter(stream);
        writer.WriteFile("a", 0x1ED, "xyz"u8);
        writer.WriteFile("bb/c", 0x1A4, "hello"u8);
        writer.WriteTrailer();

        Assert.Equal(0, stream.Length % 4);
        var entries = CpioReader.Read(stream.ToArray());
        Assert.Equal(["a", "bb/c"], entries.Select(e => e.Name));
        Assert.Equal("xyz"u8.ToArray(), entries[0].Data);
        Assert.Equal("hello"u8.ToArray(), entries[1].Data);
        Assert.Equal(0x81EDu, entries[0].Mode);
        Assert.Equal(0x81A4u, entries[1].Mode);
    }

    [Fact]
    public void Write_AnyEntry_HasZeroMtimeUidGidAndSequentialInodes()
    {
        using var stream = new MemoryStream();
        var writer = new CpioWriter(stream);
        writer.WriteDirectory("d", 0x1ED);
        writer.WriteSymlink("d/l", "/bin/busybox");
        writer.WriteCharDevice("d/console", 0x180, 5, 1);
        writer.WriteTrailer();

        var entries = CpioReader.Read(stream.ToArray());
        Assert.All(entries, e => Assert.Equal((0u, 0u, 0u), (e.Mtime, e.Uid, e.Gid)));
        Assert.Equal([1u, 2u, 3u], entries.Select(e => e.Inode));
        Assert.Equal(0x41EDu, entries[0].Mode);
        Assert.Equal(0xA1FFu, entries[1].Mode);
        Assert.Equal("/bin/busybox"u8.ToArray(), entries[1].Data);
        Assert.Equal(0x2180u, entries[2].Mode);
        Assert.Equal((5u, 1u), (entries[2].RdevMajor, entries[2].RdevMinor));
    }

    [Fact]
    public void WriteFifo_GnuCpioExtractsANamedPipeWithItsMode()
    {
        if (!File.Exists("/usr/bin/cpio"))
        {
            Assert.Skip("GNU cpio is not installed (scripts/install-prerequisites.sh installs it)");
        }

        using var stream = new MemoryStream();
        var writer = new CpioWriter(stream);
        writer.WriteDirectory("run", 0x1C0);
        writer.WriteFifo("run/ready.notify", 0x180);
        writer.WriteTrailer();
        var dir = Directory.CreateTempSubdirectory("podvm-cpio-");
        try
        {
            var cpio = new ProcessStartInfo("/usr/bin/cpio", ["-i", "--make-directories", "--no-absolute-filenames", "--quiet"])
            {
                WorkingDirectory = dir.FullName,
                RedirectStandardInput = true,
                RedirectStandardError = true,
            };
            using (var process = Process.Start(cpio)!)
            {
                process.StandardInput.BaseStream.Write(stream.ToArray());
                process.StandardInput.Close();
                Assert.True(process.WaitForExit(30_000), "cpio did not finish in 30 s");
                Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
            }

            var fifo = Path.Combine(dir.FullName, "run/ready.notify");
            Assert.Equal(0x1180u, CpioReader.Read(stream.ToArray())[1].Mode);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fifo));
            Assert.Equal("fifo", Stat(fifo));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Stat(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%F", path]) { RedirectStandardOutput = true })!;
        var type = stat.StandardOutput.ReadToEnd().Trim();
        Assert.True(stat.WaitForExit(10_000), "stat did not finish in 10 s");
        return type;
    }

    [Theory]
    [InlineData("/abs")]
    [InlineData("a/../b")]
    [InlineData("a//b")]
    [InlineData("")]
    public void WriteFile_BadPath_Throws(string path)
    {
        var writer = new CpioWriter(new MemoryStream());
        Assert.Throws<ArgumentException>(() => writer.WriteFile(path, 0x1A4, "x"u8));
    }

    [Fact]
    public void WriteFile_AfterTrailer_Throws()
    {
        var writer = new CpioWriter(new MemoryStream());
        writer.WriteTrailer();
        Assert.Throws<InvalidOperationException>(() => writer.WriteDirectory("a", 0x1ED));
    }

    [Fact]
    public void WriteFile_StreamShorterThanDeclared_Throws()
    {
        var writer = new CpioWriter(new MemoryStream());
        Assert.Throws<EndOfStreamException>(() => writer.WriteFile("a", 0x1A4, new MemoryStream([1, 2]), 5));
    }
}
