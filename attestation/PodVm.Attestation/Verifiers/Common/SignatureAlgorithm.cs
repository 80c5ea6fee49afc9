using System.Formats.Asn1;
using System.Security.Cryptography;
using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>The signature algorithms certificates and CRLs in this domain use: RSASSA-PSS (AMD), PKCS#1 v1.5 and ECDSA (Intel, TPM vendors).</summary>
internal sealed record SignatureAlgorithm(SignatureKind Kind, HashAlgorithmName Hash)
{
    private const string RsaPss = "1.2.840.113549.1.1.10";

    public static SignatureAlgorithm Decode(AsnReader sequence)
    {
        var oid = sequence.ReadObjectIdentifier();
        switch (oid)
        {
            case "1.2.840.113549.1.1.11":
                return new(SignatureKind.RsaPkcs1, HashAlgorithmName.SHA256);
            case "1.2.840.113549.1.1.12":
                return new(SignatureKind.RsaPkcs1, HashAlgorithmName.SHA384);
            case "1.2.840.113549.1.1.13":
                return new(SignatureKind.RsaPkcs1, HashAlgorithmName.SHA512);
            case "1.2.840.10045.4.3.2":
                return new(SignatureKind.Ecdsa, HashAlgorithmName.SHA256);
            case "1.2.840.10045.4.3.3":
                return new(SignatureKind.Ecdsa, HashAlgorithmName.SHA384);
            case "1.2.840.10045.4.3.4":
                return new(SignatureKind.Ecdsa, HashAlgorithmName.SHA512);
            case RsaPss:
                return DecodePss(sequence.ReadSequence());
            default:
                throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"unsupported signature algorithm {oid}");
        }
    }

    // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0], maskGenAlgorithm [1], saltLength [2] INTEGER DEFAULT 20, trailerField [3] }
    private static SignatureAlgorithm DecodePss(AsnReader parameters)
    {
        var hash = HashAlgorithmName.SHA1;
        var mgfHash = HashAlgorithmName.SHA1;
        var salt = 20;
        var hashTag = new Asn1Tag(TagClass.ContextSpecific, 0);
        var mgfTag = new Asn1Tag(TagClass.ContextSpecific, 1);
        var saltTag = new Asn1Tag(TagClass.ContextSpecific, 2);
        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(hashTag))
        {
            hash = HashFromOid(parameters.ReadSequence(hashTag).ReadSequence().ReadObjectIdentifier());
        }

        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(mgfTag))
        {
            var mgf = parameters.ReadSequence(mgfTag).ReadSequence();
            if (mgf.ReadObjectIdentifier() != "1.2.840.113549.1.1.8")
            {
                throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, "RSASSA-PSS with a mask generation function other than MGF1");
            }

            mgfHash = HashFromOid(mgf.ReadSequence().ReadObjectIdentifier());
        }

        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(saltTag))
        {
            if (!parameters.ReadSequence(saltTag).TryReadInt32(out salt))
            {
                throw VerificationException.Malformed("RSASSA-PSS salt length out of range");
            }
        }

        // .NET's PSS uses MGF1 with the message hash and a salt as long as the hash: exactly AMD's parameters.
        if (mgfHash != hash || salt != HashLength(hash))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"unsupported RSASSA-PSS parameters ({hash.Name}, MGF1-{mgfHash.Name}, salt {salt})");
        }

        return new(SignatureKind.RsaPss, hash);
    }

    private static HashAlgorithmName HashFromOid(string oid) => oid switch
    {
        "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
        "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
        "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
        "1.3.14.3.2.26" => HashAlgorithmName.SHA1,
        _ => throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"unsupported hash algorithm {oid}"),
    };

    private static int HashLength(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA256 ? 32 : hash == HashAlgorithmName.SHA384 ? 48 : hash == HashAlgorithmName.SHA512 ? 64 : 20;
}
