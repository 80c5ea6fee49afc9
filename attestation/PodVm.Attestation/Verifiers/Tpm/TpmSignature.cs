using System.Security.Cryptography;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>
/// A TPMT_SIGNATURE (big-endian): sigAlg (0x0014 RSASSA, 0x0016 RSAPSS, 0x0018 ECDSA), hashAlg, then a TPM2B
/// signature (RSA) or TPM2B r and TPM2B s (ECDSA).
/// </summary>
internal sealed record TpmSignature(ushort Scheme, ushort HashAlgorithm, byte[] Signature, byte[] R, byte[] S)
{
    public const ushort RsaSsa = 0x0014;
    public const ushort RsaPss = 0x0016;
    public const ushort Ecdsa = 0x0018;

    public static TpmSignature Parse(ReadOnlySpan<byte> data)
    {
        var reader = new SpanReader(data, "TPMT_SIGNATURE");
        var scheme = reader.ReadUInt16BigEndian();
        var hash = reader.ReadUInt16BigEndian();
        if (!TpmHash.IsKnown(hash))
        {
            throw VerificationException.Malformed($"TPMT_SIGNATURE hash algorithm 0x{hash:x4} is not supported");
        }

        TpmSignature signature = scheme switch
        {
            RsaSsa or RsaPss => new TpmSignature(scheme, hash, reader.ReadTpm2b().ToArray(), [], []),
            Ecdsa => new TpmSignature(scheme, hash, [], reader.ReadTpm2b().ToArray(), reader.ReadTpm2b().ToArray()),
            _ => throw new VerificationException(VerificationFailureReason.UnsupportedVersion, $"TPMT_SIGNATURE scheme 0x{scheme:x4} is not RSASSA, RSAPSS or ECDSA"),
        };
        if (reader.Remaining != 0)
        {
            throw VerificationException.Malformed($"TPMT_SIGNATURE has {reader.Remaining} trailing bytes");
        }

        return signature;
    }

    /// <summary>A raw RSASSA-PKCS1-v1_5 SHA-256 signature, as Azure's vTPM evidence carries it.</summary>
    public static TpmSignature RawRsaSsaSha256(byte[] signature) => new(RsaSsa, TpmHash.Sha256, signature, [], []);

    /// <summary>Verifies the signature over <paramref name="message"/> with the AK given as a DER SubjectPublicKeyInfo.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> akSubjectPublicKeyInfo)
    {
        var hash = TpmHash.Name(HashAlgorithm);
        if (Scheme == Ecdsa)
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(akSubjectPublicKeyInfo, out _);
            var size = (ecdsa.KeySize + 7) / 8;
            if (R.Length > size || S.Length > size)
            {
                return false;
            }

            var p1363 = new byte[2 * size];
            R.CopyTo(p1363.AsSpan(size - R.Length));
            S.CopyTo(p1363.AsSpan((2 * size) - S.Length));
            return ecdsa.VerifyData(message, p1363, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(akSubjectPublicKeyInfo, out _);
        if (Scheme == RsaSsa)
        {
            return rsa.VerifyData(message, Signature, hash, RSASignaturePadding.Pkcs1);
        }

        // TPM RSAPSS signatures use the largest salt (TPM 2.0 part 1, §B.7) or the hash length; .NET verifies with
        // salt = hash length, which a TPM with a FIPS-mode flag produces. Accept that form.
        return rsa.VerifyData(message, Signature, hash, RSASignaturePadding.Pss);
    }
}
