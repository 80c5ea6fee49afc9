using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PodVm.Attestation.Kbs;

/// <summary>The RFC 7518 §4.6 Concat KDF with SHA-256 for ECDH-ES+A256KW (empty apu/apv, 256-bit output).</summary>
public static class ConcatKdf
{
    public static byte[] DeriveA256KwKey(ReadOnlySpan<byte> z)
    {
        var alg = Encoding.ASCII.GetBytes("ECDH-ES+A256KW");
        var input = new byte[4 + z.Length + 4 + alg.Length + 4 + 4 + 4];
        var span = input.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, 1);
        z.CopyTo(span[4..]);
        var offset = 4 + z.Length;
        BinaryPrimitives.WriteUInt32BigEndian(span[offset..], (uint)alg.Length);
        alg.CopyTo(span[(offset + 4)..]);
        offset += 4 + alg.Length;
        BinaryPrimitives.WriteUInt32BigEndian(span[offset..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(span[(offset + 4)..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(span[(offset + 8)..], 256);
        return SHA256.HashData(input);
    }
}
