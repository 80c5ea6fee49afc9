using System.Buffers.Binary;
using System.Security.Cryptography;

namespace PodVm.Attester.Kbs;

/// <summary>RFC 7518 §4.6.2 Concat KDF (SHA-256) for ECDH-ES+A256KW with empty apu/apv: one 256-bit round.</summary>
internal static class ConcatKdf
{
    public static byte[] DeriveA256KwKey(ReadOnlySpan<byte> sharedSecret)
    {
        ReadOnlySpan<byte> algorithm = "ECDH-ES+A256KW"u8;
        var input = new byte[4 + sharedSecret.Length + 4 + algorithm.Length + 4 + 4 + 4];
        var span = input.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, 1); // round counter
        sharedSecret.CopyTo(span[4..]);
        var at = 4 + sharedSecret.Length;
        BinaryPrimitives.WriteUInt32BigEndian(span[at..], (uint)algorithm.Length);
        algorithm.CopyTo(span[(at + 4)..]);
        at += 4 + algorithm.Length;
        BinaryPrimitives.WriteUInt32BigEndian(span[at..], 0); // PartyUInfo
        BinaryPrimitives.WriteUInt32BigEndian(span[(at + 4)..], 0); // PartyVInfo
        BinaryPrimitives.WriteUInt32BigEndian(span[(at + 8)..], 256); // SuppPubInfo: key length in bits
        try
        {
            return SHA256.HashData(input);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }
}
