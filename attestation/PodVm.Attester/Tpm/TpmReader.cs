using System.Buffers.Binary;

namespace PodVm.Attester.Tpm;

/// <summary>Reads TPM 2.0 structures (big-endian); every read is bounds-checked and a short input is a <see cref="TpmException"/>.</summary>
internal ref struct TpmReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _what;
    private int _offset;

    public TpmReader(ReadOnlySpan<byte> data, string what)
    {
        _data = data;
        _what = what;
    }

    public readonly int Remaining => _data.Length - _offset;

    /// <summary>The response code of a whole response, after checking that its size field matches its length.</summary>
    public static uint ResponseCode(ReadOnlySpan<byte> response, string command)
    {
        if (response.Length < TpmCommand.HeaderSize)
        {
            throw new TpmException($"TPM2_{command}: response of {response.Length} bytes is shorter than its header");
        }

        var size = BinaryPrimitives.ReadUInt32BigEndian(response[2..]);
        if (size != response.Length)
        {
            throw new TpmException($"TPM2_{command}: response header says {size} bytes, {response.Length} arrived");
        }

        return BinaryPrimitives.ReadUInt32BigEndian(response[6..]);
    }

    /// <summary>A reader positioned after the header of a successful response; a non-zero response code throws.</summary>
    public static TpmReader Success(ReadOnlySpan<byte> response, string command)
    {
        var code = ResponseCode(response, command);
        if (code != 0)
        {
            throw new TpmException(command, code);
        }

        var reader = new TpmReader(response, "TPM2_" + command + " response");
        reader.Take(TpmCommand.HeaderSize);
        return reader;
    }

    public byte UInt8() => Take(1)[0];

    public ushort UInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public ulong UInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    public ReadOnlySpan<byte> Bytes(int count) => Take(count);

    /// <summary>A TPM2B: u16 size then that many bytes.</summary>
    public ReadOnlySpan<byte> Sized() => Take(UInt16());

    /// <summary>The parameter area of a response to a command with sessions: u32 parameterSize, then that many bytes.</summary>
    public ReadOnlySpan<byte> Parameters()
    {
        var size = UInt32();
        if (size > int.MaxValue)
        {
            throw new TpmException($"{_what}: parameter size {size} is too large");
        }

        return Take((int)size);
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _data.Length - _offset)
        {
            throw new TpmException($"{_what}: truncated (needed {count} bytes at offset {_offset} of {_data.Length})");
        }

        var slice = _data.Slice(_offset, count);
        _offset += count;
        return slice;
    }
}
