using System.Buffers.Binary;
using System.Security.Cryptography;

namespace PodVm.Attestation.Kbs;

/// <summary>RFC 3394 AES key wrap (A256KW) with the default IV A6A6A6A6A6A6A6A6.</summary>
public static class AesKeyWrap
{
    private const ulong DefaultIv = 0xA6A6A6A6A6A6A6A6;

    public static byte[] Wrap(ReadOnlySpan<byte> kek, ReadOnlySpan<byte> key)
    {
        if (key.Length % 8 != 0 || key.Length < 16)
        {
            throw new ArgumentException("key to wrap must be a multiple of 8 bytes, at least 16", nameof(key));
        }

        using var aes = Aes.Create();
        aes.Key = kek.ToArray();
        var n = key.Length / 8;
        var r = key.ToArray();
        var a = DefaultIv;
        Span<byte> block = stackalloc byte[16];
        Span<byte> output = stackalloc byte[16];
        for (var j = 0; j < 6; j++)
        {
            for (var i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(block, a);
                r.AsSpan(i * 8, 8).CopyTo(block[8..]);
                aes.EncryptEcb(block, output, PaddingMode.None);
                a = BinaryPrimitives.ReadUInt64BigEndian(output) ^ (ulong)((n * j) + i + 1);
                output[8..].CopyTo(r.AsSpan(i * 8, 8));
            }
        }

        var result = new byte[(n + 1) * 8];
        BinaryPrimitives.WriteUInt64BigEndian(result, a);
        r.CopyTo(result.AsSpan(8));
        return result;
    }

    public static byte[] Unwrap(ReadOnlySpan<byte> kek, ReadOnlySpan<byte> wrapped)
    {
        if (wrapped.Length % 8 != 0 || wrapped.Length < 24)
        {
            throw new CryptographicException("wrapped key has an invalid length");
        }

        using var aes = Aes.Create();
        aes.Key = kek.ToArray();
        var n = (wrapped.Length / 8) - 1;
        var a = BinaryPrimitives.ReadUInt64BigEndian(wrapped);
        var r = wrapped[8..].ToArray();
        Span<byte> block = stackalloc byte[16];
        Span<byte> output = stackalloc byte[16];
        for (var j = 5; j >= 0; j--)
        {
            for (var i = n - 1; i >= 0; i--)
            {
                BinaryPrimitives.WriteUInt64BigEndian(block, a ^ (ulong)((n * j) + i + 1));
                r.AsSpan(i * 8, 8).CopyTo(block[8..]);
                aes.DecryptEcb(block, output, PaddingMode.None);
                a = BinaryPrimitives.ReadUInt64BigEndian(output);
                output[8..].CopyTo(r.AsSpan(i * 8, 8));
            }
        }

        if (a != DefaultIv)
        {
            throw new CryptographicException("key unwrap integrity check failed");
        }

        return r;
    }
}
