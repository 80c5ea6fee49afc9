using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PodVm.Attester.Kbs;

/// <summary>
/// Decrypts the KBS's resource: a flattened JWE with ECDH-ES+A256KW key management (P-256) and A256GCM content
/// encryption, the GCM AAD being the ASCII of the protected member (plus "." and the aad member when present).
/// </summary>
internal static class JweDecryptor
{
    /// <summary>Resources larger than this are refused (the KBS's bodies are limited to 1 MiB).</summary>
    public const int MaxJweBytes = 8 * 1024 * 1024;

    public static byte[] Decrypt(ReadOnlySpan<byte> jweJson, ECDiffieHellman privateKey)
    {
        if (jweJson.Length > MaxJweBytes)
        {
            throw new CryptographicException($"the JWE is larger than {MaxJweBytes} bytes");
        }

        JweMessage jwe;
        JweHeader header;
        try
        {
            jwe = JsonSerializer.Deserialize(jweJson, AttesterJsonContext.Default.JweMessage) ?? throw new CryptographicException("the JWE is null");
            if (string.IsNullOrEmpty(jwe.Protected))
            {
                throw new CryptographicException("the JWE has no protected header");
            }

            header = JsonSerializer.Deserialize(Decode(jwe.Protected, "protected"), AttesterJsonContext.Default.JweHeader)
                ?? throw new CryptographicException("the JWE protected header is null");
        }
        catch (JsonException ex)
        {
            throw new CryptographicException("the JWE is not valid JSON: " + ex.Message, ex);
        }

        if (!string.Equals(header.Enc, "A256GCM", StringComparison.Ordinal))
        {
            throw new CryptographicException($"JWE enc '{header.Enc}' is not A256GCM");
        }

        if (!string.Equals(header.Alg, TeeKeyPair.Algorithm, StringComparison.Ordinal))
        {
            throw new CryptographicException($"JWE alg '{header.Alg}' does not fit this client's {TeeKeyPair.Algorithm} key");
        }

        var epk = header.Epk ?? throw new CryptographicException("the ECDH-ES JWE has no epk");
        var parameters = privateKey.ExportParameters(false);
        if (!string.Equals(epk.Kty, "EC", StringComparison.Ordinal) || !string.Equals(epk.Crv, "P-256", StringComparison.Ordinal))
        {
            throw new CryptographicException($"JWE epk must be an EC P-256 key, got {epk.Kty}/{epk.Crv}");
        }

        byte[] cek;
        using (var peer = ECDiffieHellman.Create(new ECParameters
        {
            Curve = parameters.Curve,
            Q = new ECPoint { X = Decode(epk.X, "epk.x"), Y = Decode(epk.Y, "epk.y") },
        }))
        {
            var z = privateKey.DeriveRawSecretAgreement(peer.PublicKey);
            var kek = ConcatKdf.DeriveA256KwKey(z);
            CryptographicOperations.ZeroMemory(z);
            try
            {
                cek = AesKeyUnwrap.Unwrap(kek, Decode(jwe.EncryptedKey, "encrypted_key"));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(kek);
            }
        }

        try
        {
            if (cek.Length != 32)
            {
                throw new CryptographicException("the A256GCM content key must be 32 bytes");
            }

            var iv = Decode(jwe.Iv, "iv");
            var ciphertext = Decode(jwe.Ciphertext, "ciphertext");
            var tag = Decode(jwe.Tag, "tag");
            if (iv.Length != 12 || tag.Length != 16)
            {
                throw new CryptographicException("A256GCM needs a 12-byte iv and a 16-byte tag");
            }

            var aad = jwe.Aad is { Length: > 0 } extra ? jwe.Protected + "." + extra : jwe.Protected;
            var plaintext = new byte[ciphertext.Length];
            using var gcm = new AesGcm(cek, 16);
            gcm.Decrypt(iv, ciphertext, tag, plaintext, Encoding.ASCII.GetBytes(aad));
            return plaintext;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(cek);
        }
    }

    private static byte[] Decode(string? value, string member)
    {
        if (value is null)
        {
            throw new CryptographicException($"the JWE has no {member}");
        }

        try
        {
            return Base64Url.DecodeFromChars(value);
        }
        catch (FormatException ex)
        {
            throw new CryptographicException($"JWE {member} is not base64url", ex);
        }
    }
}
