using System.Buffers.Binary;

namespace PodVm.Attester.Tpm;

/// <summary>
/// Marshals one TPM 2.0 command (big-endian): header (tag, size, command code), handles, an optional password
/// authorization area, then parameters. <see cref="ToArray"/> patches the size into the header.
/// </summary>
internal sealed class TpmCommand
{
    public const int HeaderSize = 10;
    public const int MaxResponseSize = 4096;

    private readonly List<byte> _bytes = new(128);

    public TpmCommand(ushort tag, uint commandCode)
    {
        UInt16(tag);
        UInt32(0);
        UInt32(commandCode);
    }

    public TpmCommand UInt8(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public TpmCommand UInt16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        _bytes.AddRange(b);
        return this;
    }

    public TpmCommand UInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        _bytes.AddRange(b);
        return this;
    }

    public TpmCommand Bytes(ReadOnlySpan<byte> value)
    {
        _bytes.AddRange(value);
        return this;
    }

    /// <summary>A TPM2B: u16 size then the bytes.</summary>
    public TpmCommand Sized(ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "a TPM2B holds at most 65535 bytes");
        }

        UInt16((ushort)value.Length);
        return Bytes(value);
    }

    /// <summary>
    /// The authorization area with one password session and an empty password: authorizationSize 9, TPM_RS_PW,
    /// empty nonce, attributes 0, empty hmac.
    /// </summary>
    public TpmCommand EmptyPasswordAuthorization()
    {
        UInt32(9);
        UInt32(TpmConstants.RsPassword);
        UInt16(0);
        UInt8(0);
        return UInt16(0);
    }

    /// <summary>A TPML_PCR_SELECTION of one bank (or none when <paramref name="pcrs"/> is empty and no bank is given).</summary>
    public TpmCommand PcrSelection(ushort hashAlgorithm, IReadOnlyCollection<int> pcrs)
    {
        UInt32(1);
        UInt16(hashAlgorithm);
        UInt8(TpmConstants.PcrSelectSize);
        return Bytes(TpmPcrSelect.Bitmap(pcrs));
    }

    public byte[] ToArray()
    {
        var result = _bytes.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(2), (uint)result.Length);
        return result;
    }
}
