using System.Buffers.Binary;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>A bounds-checked cursor over binary evidence; running past the end is malformed evidence, not an exception.</summary>
internal ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _what;

    public SpanReader(ReadOnlySpan<byte> data, string what)
    {
        _data = data;
        _what = what;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw VerificationException.Malformed($"{_what} is truncated at offset {Position} (needs {count} more bytes, has {Remaining})");
        }

        var span = _data.Slice(Position, count);
        Position += count;
        return span;
    }

    public byte ReadByte() => ReadBytes(1)[0];

    public ushort ReadUInt16BigEndian() => BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2));

    public uint ReadUInt32BigEndian() => BinaryPrimitives.ReadUInt32BigEndian(ReadBytes(4));

    public ulong ReadUInt64BigEndian() => BinaryPrimitives.ReadUInt64BigEndian(ReadBytes(8));

    public ushort ReadUInt16LittleEndian() => BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2));

    public uint ReadUInt32LittleEndian() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    public ulong ReadUInt64LittleEndian() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));

    /// <summary>A TPM2B: big-endian u16 size then that many bytes.</summary>
    public ReadOnlySpan<byte> ReadTpm2b() => ReadBytes(ReadUInt16BigEndian());
}
