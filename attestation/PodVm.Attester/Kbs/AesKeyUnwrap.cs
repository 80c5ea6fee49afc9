using System.Buffers.Binary;
using System.Security.Cryptography;

namespace PodVm.Attester.Kbs;

/// <summary>RFC 3394 AES key unwrap (A256KW), checking the default integrity value A6A6A6A6A6A6A6A6.</summary>
internal static class AesKeyUnwrap
{
    private const ulong DefaultIv = 0xA6A6A6A6A6A6A6A6;

    public static byte[] Unwrap(ReadOnlySpan<byte> kek, ReadOnlySpan<byte> wrapped)
    {
        if (kek.Length != 32)
        {
            throw new CryptographicException("A256KW needs a 32-byte key-encryption key");
        }

        if (wrapped.Length % 8 != 0 || wrapped.Length < 24)
        {
            throw new CryptographicException("the wrapped key has an invalid length");
        }

        using var aes = Aes.Create();
        aes.Key = kek.ToArray();
        var n = (wrapped.Length / 8) - 1;
        var a = BinaryPrimitives.ReadUInt64BigEndian(wrapped);
        var r = wrapped[8..].ToArray();
        Span<byte> block = stackalloc byte[16];
        Span<byte> plain = stackalloc byte[16];
        try
        {
            for (var j = 5; j >= 0; j--)
            {
                for (var i = n; i >= 1; i--)
                {
                    var t = (ulong)((n * j) + i);
                    BinaryPrimitives.WriteUInt64BigEndian(block, a ^ t);
                    r.AsSpan((i - 1) * 8, 8).CopyTo(block[8..]);
                    aes.DecryptEcb(block, plain, PaddingMode.None);
                    a = BinaryPrimitives.ReadUInt64BigEndian(plain);
                    plain[8..].CopyTo(r.AsSpan((i - 1) * 8, 8));
                }
            }

            if (a != DefaultIv)
            {
                CryptographicOperations.ZeroMemory(r);
                throw new CryptographicException("A256KW integrity check failed (wrong key)");
            }

            return r;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(block);
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
