using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.Kbs;

/// <summary>
/// Seals <see cref="SessionState"/> into the kbs-session-id cookie value: base64url(0x01 ‖ iv(12) ‖ AES-256-GCM(deflate(JSON)) ‖ tag(16)),
/// with the format byte as AAD. Tampered, foreign-key or malformed cookies unseal to null.
/// </summary>
public sealed class SessionSealer
{
    private const byte FormatVersion = 1;
    private readonly byte[] _key;

    public SessionSealer(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("the session key must be 32 bytes", nameof(key));
        }

        _key = key.ToArray();
    }

    public string Seal(SessionState state)
    {
        var json = new JsonObject
        {
            ["i"] = state.Id,
            ["t"] = state.Tee,
            ["n"] = state.Nonce,
            ["e"] = state.ExpiresAtUnixSeconds,
        };
        if (state.Token is not null)
        {
            json["k"] = state.Token;
        }

        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            JsonSerializer.Serialize(deflate, json);
        }

        var plaintext = buffer.ToArray();
        var sealedBytes = new byte[1 + 12 + plaintext.Length + 16];
        sealedBytes[0] = FormatVersion;
        var iv = sealedBytes.AsSpan(1, 12);
        RandomNumberGenerator.Fill(iv);
        using var gcm = new AesGcm(_key, 16);
        gcm.Encrypt(iv, plaintext, sealedBytes.AsSpan(13, plaintext.Length), sealedBytes.AsSpan(13 + plaintext.Length), sealedBytes.AsSpan(0, 1));
        return Base64UrlText.Encode(sealedBytes);
    }

    public SessionState? Unseal(string? cookie)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 64 * 1024)
        {
            return null;
        }

        try
        {
            var sealedBytes = System.Buffers.Text.Base64Url.DecodeFromChars(cookie);
            if (sealedBytes.Length < 1 + 12 + 16 || sealedBytes[0] != FormatVersion)
            {
                return null;
            }

            var length = sealedBytes.Length - 1 - 12 - 16;
            var plaintext = new byte[length];
            using (var gcm = new AesGcm(_key, 16))
            {
                gcm.Decrypt(sealedBytes.AsSpan(1, 12), sealedBytes.AsSpan(13, length), sealedBytes.AsSpan(13 + length), plaintext, sealedBytes.AsSpan(0, 1));
            }

            using var deflate = new DeflateStream(new MemoryStream(plaintext), CompressionMode.Decompress);
            if (JsonNode.Parse(deflate) is not JsonObject json)
            {
                return null;
            }

            return new SessionState
            {
                Id = (string?)json["i"] ?? "",
                Tee = (string?)json["t"] ?? "",
                Nonce = (string?)json["n"] ?? "",
                ExpiresAtUnixSeconds = (long?)json["e"] ?? 0,
                Token = (string?)json["k"],
            };
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or JsonException or InvalidDataException or InvalidOperationException)
        {
            return null;
        }
    }
}
