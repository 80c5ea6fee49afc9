using System.Buffers.Binary;

namespace PodVm.Attester.Evidence;

/// <summary>
/// The GHCB certificate table that configfs-tsm returns as auxblob for sev_guest: entries of
/// { GUID (16 bytes), offset (u32 LE), length (u32 LE) } ending with an all-zero entry; offsets are from the start
/// of the table.
/// </summary>
internal static class SnpCertTable
{
    private const int EntrySize = 24;
    private const int MaxEntries = 64;

    private static readonly (Guid Guid, string Name)[] Known =
    [
        (new Guid("63da758d-e664-4564-adc5-f4b93be8accd"), "VCEK"),
        (new Guid("a8074bc2-a25a-483e-aae6-39c045a0b8a1"), "VLEK"),
        (new Guid("4ab7b379-bbac-4fe4-a02f-05aef327c782"), "ASK"),
        (new Guid("c0b406a4-a803-4952-9743-3fb6014cd0ae"), "ARK"),
        (new Guid("92f81bc3-5811-4d3d-97ff-d19f88dc67ea"), "CRL"),
    ];

    public static IReadOnlyList<SnpCertificate> Parse(ReadOnlySpan<byte> table)
    {
        var result = new List<SnpCertificate>();
        for (var i = 0; ; i++)
        {
            var at = i * EntrySize;
            if (i >= MaxEntries || at + EntrySize > table.Length)
            {
                throw new EvidenceException(EvidenceErrorReason.Malformed, "the SNP certificate table has no terminating entry");
            }

            var entry = table.Slice(at, EntrySize);
            if (!entry.ContainsAnyExcept((byte)0))
            {
                return result;
            }

            var guidBytes = entry[..16];
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(entry[16..]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(entry[20..]);
            if ((ulong)offset + length > (ulong)table.Length)
            {
                throw new EvidenceException(EvidenceErrorReason.Malformed, $"SNP certificate table entry {i} points outside the table ({offset}+{length} > {table.Length})");
            }

            result.Add(new SnpCertificate(Name(guidBytes), table.Slice((int)offset, (int)length).ToArray()));
        }
    }

    /// <summary>The entry's name; the GUID is matched in RFC 4122 (big-endian) byte order and in the mixed-endian guid_t order.</summary>
    public static string Name(ReadOnlySpan<byte> guidBytes)
    {
        var bigEndian = new Guid(guidBytes, bigEndian: true);
        var mixed = new Guid(guidBytes);
        foreach (var (guid, name) in Known)
        {
            if (guid == bigEndian || guid == mixed)
            {
                return name;
            }
        }

        return $"OTHER({bigEndian})";
    }

    /// <summary>Builds a table (the reverse of <see cref="Parse"/>; GUIDs in RFC 4122 byte order). Used by tests and tools.</summary>
    public static byte[] Build(IReadOnlyList<(Guid Guid, byte[] Data)> entries)
    {
        var header = (entries.Count + 1) * EntrySize;
        var total = header + entries.Sum(e => e.Data.Length);
        var table = new byte[total];
        var offset = header;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = table.AsSpan(i * EntrySize, EntrySize);
            _ = entries[i].Guid.TryWriteBytes(entry, bigEndian: true, out _);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], (uint)offset);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[20..], (uint)entries[i].Data.Length);
            entries[i].Data.CopyTo(table, offset);
            offset += entries[i].Data.Length;
        }

        return table;
    }

    public static Guid GuidOf(string name) => Known.First(k => string.Equals(k.Name, name, StringComparison.Ordinal)).Guid;
}
