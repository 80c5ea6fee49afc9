using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>
/// Checks that a certificate or CRL was signed by an issuer's key, directly on the DER (no platform chain engine, no
/// network, no system trust store): the verifiers pin their own roots.
/// </summary>
internal static class X509SignatureVerifier
{
    public static bool IsSignedBy(X509Certificate2 subject, X509Certificate2 issuer) =>
        IsSignedBy(SignedObject.Decode(subject.RawDataMemory, "certificate"), issuer);

    public static bool IsSignedBy(SignedObject signed, X509Certificate2 issuer)
    {
        switch (signed.Algorithm.Kind)
        {
            case SignatureKind.RsaPss:
            case SignatureKind.RsaPkcs1:
            {
                using var rsa = issuer.GetRSAPublicKey();
                if (rsa is null)
                {
                    return false;
                }

                var padding = signed.Algorithm.Kind == SignatureKind.RsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                return rsa.VerifyData(signed.ToBeSigned.Span, signed.Signature, signed.Algorithm.Hash, padding);
            }

            case SignatureKind.Ecdsa:
            {
                using var ecdsa = issuer.GetECDsaPublicKey();
                return ecdsa is not null &&
                    ecdsa.VerifyData(signed.ToBeSigned.Span, signed.Signature, signed.Algorithm.Hash, DSASignatureFormat.Rfc3279DerSequence);
            }

            default:
                return false;
        }
    }

    /// <summary>True when both certificates carry the same subject public key.</summary>
    public static bool SameKey(X509Certificate2 a, X509Certificate2 b) =>
        a.PublicKey.EncodedKeyValue.RawData.AsSpan().SequenceEqual(b.PublicKey.EncodedKeyValue.RawData);
}
