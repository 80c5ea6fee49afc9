using System.Buffers.Binary;
using System.Security.Cryptography;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>
/// The SHA-256 of one or more byte strings, each length-prefixed so that no two different lists of parts hash alike:
/// the key under which a verification cache stores what it derived from exactly those bytes.
/// </summary>
internal readonly record struct ContentKey(ulong A, ulong B, ulong C, ulong D)
{
    public static ContentKey Of(ReadOnlyMemory<byte> part) => Of([part]);

    public static ContentKey Of(IEnumerable<ReadOnlyMemory<byte>> parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var part in parts)
        {
            BinaryPrimitives.WriteInt64LittleEndian(length, part.Length);
            hash.AppendData(length);
            hash.AppendData(part.Span);
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return new ContentKey(
            BinaryPrimitives.ReadUInt64LittleEndian(digest),
            BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(digest[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(digest[24..]));
    }
}
