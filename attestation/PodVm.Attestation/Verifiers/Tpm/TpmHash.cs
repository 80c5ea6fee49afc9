using System.Security.Cryptography;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>TPM_ALG_ID hash algorithms: SHA-1 (0x0004), SHA-256 (0x000B), SHA-384 (0x000C), SHA-512 (0x000D).</summary>
internal static class TpmHash
{
    public const ushort Sha1 = 0x0004;
    public const ushort Sha256 = 0x000B;
    public const ushort Sha384 = 0x000C;
    public const ushort Sha512 = 0x000D;

    public static bool IsKnown(ushort alg) => alg is Sha1 or Sha256 or Sha384 or Sha512;

    public static HashAlgorithmName Name(ushort alg) => alg switch
    {
        Sha1 => HashAlgorithmName.SHA1,
        Sha256 => HashAlgorithmName.SHA256,
        Sha384 => HashAlgorithmName.SHA384,
        Sha512 => HashAlgorithmName.SHA512,
        _ => throw VerificationException.Malformed($"unsupported TPM hash algorithm 0x{alg:x4}"),
    };

    public static int Size(ushort alg) => alg switch
    {
        Sha1 => 20,
        Sha256 => 32,
        Sha384 => 48,
        Sha512 => 64,
        _ => throw VerificationException.Malformed($"unsupported TPM hash algorithm 0x{alg:x4}"),
    };

    public static string BankName(ushort alg) => alg switch
    {
        Sha1 => "sha1",
        Sha256 => "sha256",
        Sha384 => "sha384",
        Sha512 => "sha512",
        _ => $"0x{alg:x4}",
    };

    public static byte[] Hash(ushort alg, ReadOnlySpan<byte> data) => alg switch
    {
#pragma warning disable CA5350 // SHA-1 PCR banks exist in real TPMs and logs; replaying them is not relying on SHA-1 for security
        Sha1 => SHA1.HashData(data),
#pragma warning restore CA5350
        Sha256 => SHA256.HashData(data),
        Sha384 => SHA384.HashData(data),
        Sha512 => SHA512.HashData(data),
        _ => throw VerificationException.Malformed($"unsupported TPM hash algorithm 0x{alg:x4}"),
    };
}
