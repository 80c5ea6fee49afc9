using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.ReferenceValues;

/// <summary>A public key trusted to sign reference value bundles, named by the COSE key id (label 4) it signs with.</summary>
public sealed record ReferenceValueSigner(string KeyId, AsymmetricAlgorithm PublicKey)
{
    /// <summary>A signer from a PEM public key (SPKI, EC or RSA) or a certificate.</summary>
    public static ReferenceValueSigner FromPem(string keyId, string pem)
    {
        if (pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
        {
            using var cert = X509Certificate2.CreateFromPem(pem);
            AsymmetricAlgorithm? key = cert.GetECDsaPublicKey();
            key ??= cert.GetRSAPublicKey();
            return new ReferenceValueSigner(keyId, key ?? throw new ReferenceValueException(ReferenceValueError.Malformed, "certificate key is neither EC nor RSA"));
        }

        if (pem.Contains("RSA", StringComparison.Ordinal))
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new ReferenceValueSigner(keyId, rsa);
        }

        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            return new ReferenceValueSigner(keyId, ec);
        }
        catch (CryptographicException)
        {
            ec.Dispose();
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new ReferenceValueSigner(keyId, rsa);
        }
    }

    /// <summary>A signer from an EC public JWK (P-256/P-384/P-521); the key id defaults to the JWK's "kid".</summary>
    public static ReferenceValueSigner FromJwk(JsonObject jwk, string? keyId = null)
    {
        var kty = (string?)jwk["kty"];
        if (!string.Equals(kty, "EC", StringComparison.Ordinal))
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, $"signer JWK kty must be EC, not {kty}");
        }

        var curve = (string?)jwk["crv"] switch
        {
            "P-256" => ECCurve.NamedCurves.nistP256,
            "P-384" => ECCurve.NamedCurves.nistP384,
            "P-521" => ECCurve.NamedCurves.nistP521,
            var c => throw new ReferenceValueException(ReferenceValueError.Malformed, $"unsupported signer curve {c}"),
        };
        var parameters = new ECParameters
        {
            Curve = curve,
            Q = new ECPoint
            {
                X = Base64UrlDecode((string?)jwk["x"]),
                Y = Base64UrlDecode((string?)jwk["y"]),
            },
        };
        var ec = ECDsa.Create(parameters);
        return new ReferenceValueSigner(keyId ?? (string?)jwk["kid"] ?? "", ec);
    }

    /// <summary>The key id as the UTF-8 bytes carried in COSE label 4.</summary>
    public ReadOnlySpan<byte> KeyIdBytes => Encoding.UTF8.GetBytes(KeyId);

    private static byte[] Base64UrlDecode(string? s)
    {
        if (string.IsNullOrEmpty(s))
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, "signer JWK is missing a coordinate");
        }

        return System.Buffers.Text.Base64Url.DecodeFromChars(s);
    }
}
