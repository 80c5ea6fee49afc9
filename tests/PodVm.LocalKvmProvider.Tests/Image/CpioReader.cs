using System.Globalization;
using System.Text;

namespace PodVm.LocalKvmProvider.Tests.Image;

/// <summary>An independent newc reader for checking what the writer produced.</summary>
internal static class CpioReader
{
    public sealed record Entry(string Name, uint Inode, uint Mode, uint Uid, uint Gid, uint Mtime, uint RdevMajor, uint RdevMinor, byte[] Data);

    public static List<Entry> Read(byte[] archive)
    {
        var entries = new List<Entry>();
        var offset = 0;
        while (true)
        {
            var magic = Encoding.ASCII.GetString(archive, offset, 6);
            Assert.Equal("070701", magic);
            uint Field(int i) => uint.Parse(Encoding.ASCII.GetString(archive, offset + 6 + (i * 8), 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var nameSize = (int)Field(11);
            var fileSize = (int)Field(6);
            var name = Encoding.UTF8.GetString(archive, offset + 110, nameSize - 1);
            Assert.Equal(0, archive[offset + 110 + nameSize - 1]);
            var dataStart = Align(offset + 110 + nameSize);
            var entry = new Entry(name, Field(0), Field(1), Field(2), Field(3), Field(5), Field(9), Field(10), archive[dataStart..(dataStart + fileSize)]);
            offset = Align(dataStart + fileSize);
            if (name == "TRAILER!!!")
            {
                Assert.Equal(archive.Length, offset);
                return entries;
            }

            entries.Add(entry);
        }
    }

    private static int Align(int value) => (value + 3) & ~3;
}
