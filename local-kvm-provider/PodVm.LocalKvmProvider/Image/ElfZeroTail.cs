using System.Buffers.Binary;

namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// Drops the zero bytes at the end of each PT_LOAD segment's file image from its p_filesz (p_memsz unchanged), so an
/// ELF loader zero-fills them instead of reading them from the file. The vmlinux extracted from Debian's bzImage
/// carries .bss, .brk and .init.scratch as 24 MB of file zeros in its last segment; QEMU maps the kernel file and reads
/// every segment's file image, so those zeros were 24 MB of the kernel file in every VM's RSS (measured: idle RSS
/// 313 → 293 MiB). The guest's memory is byte for byte what it was. Only the program headers change; the file keeps
/// its length, so nothing else moves.
/// </summary>
internal static class ElfZeroTail
{
    private const int ProgramHeaderTypeLoad = 1;

    /// <summary>A copy of <paramref name="elf"/> (ELF64, little-endian) with every PT_LOAD's zero tail cut from p_filesz.</summary>
    public static byte[] Trim(ReadOnlySpan<byte> elf, out long bytesTrimmed)
    {
        if (elf.Length < 64 || !elf[..4].SequenceEqual("\u007fELF"u8) || elf[4] != 2 || elf[5] != 1)
        {
            throw new ImageBuildException(ImageBuildErrorReason.InvalidInput, "vmlinux is not a 64-bit little-endian ELF file.");
        }

        var programHeaders = BinaryPrimitives.ReadUInt64LittleEndian(elf[0x20..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x36..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x38..]);
        if (entrySize < 56 || programHeaders > (ulong)elf.Length || (ulong)count * entrySize > (ulong)elf.Length - programHeaders)
        {
            throw new ImageBuildException(ImageBuildErrorReason.InvalidInput, "vmlinux has program headers outside the file.");
        }

        var copy = elf.ToArray();
        bytesTrimmed = 0;
        for (var i = 0; i < count; i++)
        {
            var header = copy.AsSpan((int)programHeaders + (i * entrySize), entrySize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != ProgramHeaderTypeLoad)
            {
                continue;
            }

            var offset = BinaryPrimitives.ReadUInt64LittleEndian(header[0x08..]);
            var fileSize = BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..]);
            if (offset > (ulong)copy.Length || fileSize > (ulong)copy.Length - offset)
            {
                throw new ImageBuildException(ImageBuildErrorReason.InvalidInput, $"vmlinux program header {i} points past the end of the file.");
            }

            var image = copy.AsSpan((int)offset, (int)fileSize);
            var kept = image.LastIndexOfAnyExcept((byte)0) + 1;
            BinaryPrimitives.WriteUInt64LittleEndian(header[0x20..], (ulong)kept);
            bytesTrimmed += image.Length - kept;
        }

        return copy;
    }
}
