using System.Buffers.Binary;
using PodVm.LocalKvmProvider.Image;

namespace PodVm.LocalKvmProvider.Tests.Image;

public sealed class ElfZeroTailTests
{
    [Fact]
    public void Trim_LoadSegmentEndingInZeros_FileSizeCutMemorySizeKept()
    {
        var elf = Elf((1, 0x100, [1, 2, 3, 0, 0, 0, 0, 0], 0x1000), (1, 0x200, [0, 0, 9], 0x10));

        var trimmed = ElfZeroTail.Trim(elf, out var bytes);

        Assert.Equal(5, bytes);
        Assert.Equal((3UL, 0x1000UL), Sizes(trimmed, 0));
        Assert.Equal((3UL, 0x10UL), Sizes(trimmed, 1));
        Assert.Equal(elf.Length, trimmed.Length);
        Assert.True(trimmed.AsSpan(0x100).SequenceEqual(elf.AsSpan(0x100)), "only the program headers change");
    }

    [Fact]
    public void Trim_AllZeroSegmentAndOtherTypes_ZeroFileSizeOthersUntouched()
    {
        var elf = Elf((1, 0x100, [0, 0, 0, 0], 0x40), (4, 0x200, [0, 0], 2));

        var trimmed = ElfZeroTail.Trim(elf, out var bytes);

        Assert.Equal(4, bytes);
        Assert.Equal((0UL, 0x40UL), Sizes(trimmed, 0));
        Assert.Equal((2UL, 2UL), Sizes(trimmed, 1));
    }

    [Fact]
    public void Trim_NotElf_Refused()
    {
        var e = Assert.Throws<ImageBuildException>(() => ElfZeroTail.Trim(new byte[128], out _));
        Assert.Equal(ImageBuildErrorReason.InvalidInput, e.Reason);
    }

    [Fact]
    public void Trim_SegmentPastEndOfFile_Refused()
    {
        var elf = Elf((1, 0x100, [1], 1));
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(64 + 0x20), 0x10000);

        var e = Assert.Throws<ImageBuildException>(() => ElfZeroTail.Trim(elf, out _));
        Assert.Contains("past the end", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trim_ProgramHeadersOutsideFile_Refused()
    {
        var elf = Elf((1, 0x100, [1], 1));
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x38), 5000);

        Assert.Throws<ImageBuildException>(() => ElfZeroTail.Trim(elf, out _));
    }

    /// <summary>A minimal ELF64 LE: header, program headers at 64, each segment's bytes at its offset.</summary>
    private static byte[] Elf(params (uint Type, int Offset, byte[] Data, ulong MemorySize)[] segments)
    {
        var elf = new byte[0x400];
        "\u007fELF"u8.CopyTo(elf);
        elf[4] = 2;
        elf[5] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(0x20), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x36), 56);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x38), (ushort)segments.Length);
        for (var i = 0; i < segments.Length; i++)
        {
            var header = elf.AsSpan(64 + (i * 56), 56);
            BinaryPrimitives.WriteUInt32LittleEndian(header, segments[i].Type);
            BinaryPrimitives.WriteUInt64LittleEndian(header[0x08..], (ulong)segments[i].Offset);
            BinaryPrimitives.WriteUInt64LittleEndian(header[0x20..], (ulong)segments[i].Data.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(header[0x28..], segments[i].MemorySize);
            segments[i].Data.CopyTo(elf.AsSpan(segments[i].Offset));
        }

        return elf;
    }

    private static (ulong FileSize, ulong MemorySize) Sizes(byte[] elf, int index)
    {
        var header = elf.AsSpan(64 + (index * 56), 56);
        return (BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..]), BinaryPrimitives.ReadUInt64LittleEndian(header[0x28..]));
    }
}
