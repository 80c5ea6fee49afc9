using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.Kbs;

/// <summary>
/// Trustee's resource response: a flattened JWE (no aad member) with A256GCM content encryption and the CEK wrapped
/// by ECDH-ES+A256KW (P-256/P-384/P-521) or RSA-OAEP-256 (RSA1_5 for old guests). The protected header is written
/// compactly as alg, enc, then the other members sorted, and its base64url string is the GCM AAD.
/// </summary>
public static class KbsJwe
{
    public static JsonObject Encrypt(ReadOnlySpan<byte> plaintext, TeePublicKey key)
    {
        var cek = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(12);
        try
        {
            switch (key.Kind)
            {
                case TeeKeyKind.EcdhEsA256Kw:
                    {
                        var peerParameters = key.EcParameters!.Value;
                        using var peer = TeePublicKey.CreateEcdh(peerParameters);
                        using var ephemeral = ECDiffieHellman.Create(peerParameters.Curve);
                        var z = ephemeral.DeriveRawSecretAgreement(peer.PublicKey);
                        var kek = ConcatKdf.DeriveA256KwKey(z);
                        CryptographicOperations.ZeroMemory(z);
                        var encryptedKey = AesKeyWrap.Wrap(kek, cek);
                        CryptographicOperations.ZeroMemory(kek);
                        var epk = ephemeral.ExportParameters(false);
                        var header = EcHeader((string)key.Jwk["crv"]!, epk.Q.X!, epk.Q.Y!);
                        return Seal(plaintext, header, encryptedKey, cek, iv);
                    }

                default:
                    {
                        using var rsa = RSA.Create(key.RsaParameters!.Value);
                        var (alg, padding) = key.Kind == TeeKeyKind.Rsa15
                            ? ("RSA1_5", RSAEncryptionPadding.Pkcs1)
                            : ("RSA-OAEP-256", RSAEncryptionPadding.OaepSHA256);
                        var encryptedKey = rsa.Encrypt(cek, padding);
                        var header = $$"""{"alg":"{{alg}}","enc":"A256GCM"}""";
                        return Seal(plaintext, header, encryptedKey, cek, iv);
                    }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(cek);
        }
    }

    /// <summary>The ECDH-ES protected header exactly as Trustee writes it.</summary>
    public static string EcHeader(string crv, ReadOnlySpan<byte> epkX, ReadOnlySpan<byte> epkY) =>
        "{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"" + crv + "\",\"kty\":\"EC\",\"x\":\""
        + Base64UrlText.Encode(epkX) + "\",\"y\":\"" + Base64UrlText.Encode(epkY) + "\"}}";

    /// <summary>Encrypts with given key material (deterministic; the vectors use it).</summary>
    public static JsonObject Seal(ReadOnlySpan<byte> plaintext, string protectedHeaderJson, ReadOnlySpan<byte> encryptedKey, ReadOnlySpan<byte> cek, ReadOnlySpan<byte> iv)
    {
        var protectedB64 = Base64UrlText.Encode(Encoding.UTF8.GetBytes(protectedHeaderJson));
        var aad = Encoding.ASCII.GetBytes(protectedB64);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        using (var gcm = new AesGcm(cek, 16))
        {
            gcm.Encrypt(iv, plaintext, ciphertext, tag, aad);
        }

        return new JsonObject
        {
            ["protected"] = protectedB64,
            ["encrypted_key"] = Base64UrlText.Encode(encryptedKey),
            ["iv"] = Base64UrlText.Encode(iv),
            ["ciphertext"] = Base64UrlText.Encode(ciphertext),
            ["tag"] = Base64UrlText.Encode(tag),
        };
    }

    /// <summary>Decrypts a flattened JWE with the guest's private key (EC or RSA); used by tests and the guest client.</summary>
    public static byte[] Decrypt(JsonObject jwe, AsymmetricAlgorithm privateKey)
    {
        var protectedB64 = (string?)jwe["protected"] ?? throw new CryptographicException("JWE has no protected header");
        var header = JsonNode.Parse(Base64UrlText.Decode(protectedB64, KbsErrorKind.JweError, "protected")) as JsonObject
            ?? throw new CryptographicException("JWE protected header is not an object");
        if (!string.Equals((string?)header["enc"], "A256GCM", StringComparison.Ordinal))
        {
            throw new CryptographicException("JWE enc must be A256GCM");
        }

        var encryptedKey = Base64UrlText.Decode((string?)jwe["encrypted_key"], KbsErrorKind.JweError, "encrypted_key");
        byte[] cek;
        switch ((string?)header["alg"], privateKey)
        {
            case ("ECDH-ES+A256KW", ECDiffieHellman ecdh):
                {
                    var epk = header["epk"] as JsonObject ?? throw new CryptographicException("JWE has no epk");
                    var curve = ecdh.ExportParameters(false).Curve;
                    using var peer = ECDiffieHellman.Create(new ECParameters
                    {
                        Curve = curve,
                        Q = new ECPoint
                        {
                            X = Base64UrlText.Decode((string?)epk["x"], KbsErrorKind.JweError, "epk x"),
                            Y = Base64UrlText.Decode((string?)epk["y"], KbsErrorKind.JweError, "epk y"),
                        },
                    });
                    var z = ecdh.DeriveRawSecretAgreement(peer.PublicKey);
                    cek = AesKeyWrap.Unwrap(ConcatKdf.DeriveA256KwKey(z), encryptedKey);
                    break;
                }

            case ("RSA-OAEP-256", RSA rsa):
                cek = rsa.Decrypt(encryptedKey, RSAEncryptionPadding.OaepSHA256);
                break;
            case ("RSA1_5", RSA rsa):
                cek = rsa.Decrypt(encryptedKey, RSAEncryptionPadding.Pkcs1);
                break;
            default:
                throw new CryptographicException($"JWE alg '{(string?)header["alg"]}' does not fit the key");
        }

        var iv = Base64UrlText.Decode((string?)jwe["iv"], KbsErrorKind.JweError, "iv");
        var ciphertext = Base64UrlText.Decode((string?)jwe["ciphertext"], KbsErrorKind.JweError, "ciphertext");
        var tag = Base64UrlText.Decode((string?)jwe["tag"], KbsErrorKind.JweError, "tag");
        var plaintext = new byte[ciphertext.Length];
        using var gcm = new AesGcm(cek, 16);
        gcm.Decrypt(iv, ciphertext, tag, plaintext, Encoding.ASCII.GetBytes(protectedB64));
        return plaintext;
    }
}
