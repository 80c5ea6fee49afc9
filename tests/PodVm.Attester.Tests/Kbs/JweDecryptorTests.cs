using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PodVm.Attester.Kbs;
using KbsSide = PodVm.Attestation.Kbs;

namespace PodVm.Attester.Tests.Kbs;

public sealed class JweDecryptorTests
{
    [Fact]
    public void Decrypt_SyntheticTrusteeVector_ReturnsThePlaintext()
    {
        using var vector = JsonDocument.Parse(TestVectors.Text("synthetic/kbs-rcar-binding-and-jwe.SYNTHETIC.json"));
        using var key = ECDiffieHellman.Create();
        key.ImportFromPem(vector.RootElement.GetProperty("tee_private_key_pkcs8_pem").GetString());

        var plaintext = JweDecryptor.Decrypt(Encoding.UTF8.GetBytes(vector.RootElement.GetProperty("jwe_response").GetRawText()), key);

        Assert.Equal(vector.RootElement.GetProperty("jwe_plaintext").GetString(), Encoding.UTF8.GetString(plaintext));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    public void Decrypt_WhatOurKbsEncrypts_RoundTrips(int size)
    {
        using var pair = TeeKeyPair.Create();
        var secret = RandomNumberGenerator.GetBytes(size);
        var jwe = KbsJweFor(pair, secret);

        Assert.Equal(secret, JweDecryptor.Decrypt(Encoding.UTF8.GetBytes(jwe.ToJsonString()), pair.Key));
    }

    [Fact]
    public void Decrypt_AnotherKey_FailsTheKeyUnwrap()
    {
        using var pair = TeeKeyPair.Create();
        using var other = TeeKeyPair.Create();
        var jwe = KbsJweFor(pair, [1, 2, 3]);

        Assert.ThrowsAny<CryptographicException>(() => JweDecryptor.Decrypt(Encoding.UTF8.GetBytes(jwe.ToJsonString()), other.Key));
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("tag")]
    [InlineData("protected")]
    [InlineData("iv")]
    public void Decrypt_TamperedMember_Fails(string member)
    {
        using var pair = TeeKeyPair.Create();
        var jwe = KbsJweFor(pair, [1, 2, 3, 4, 5, 6, 7, 8]);
        var value = (string)jwe[member]!;
        jwe[member] = (value[0] == 'A' ? 'B' : 'A') + value[1..];

        Assert.ThrowsAny<CryptographicException>(() => JweDecryptor.Decrypt(Encoding.UTF8.GetBytes(jwe.ToJsonString()), pair.Key));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"protected":"eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIn0","encrypted_key":"","iv":"","ciphertext":"","tag":""}""")]
    [InlineData("""{"protected":"eyJhbGciOiJFQ0RILUVTK0EyNTZLVyIsImVuYyI6IkExMjhHQ00ifQ"}""")]
    public void Decrypt_Malformed_ThrowsCryptographicException(string json)
    {
        using var pair = TeeKeyPair.Create();

        Assert.ThrowsAny<CryptographicException>(() => JweDecryptor.Decrypt(Encoding.UTF8.GetBytes(json), pair.Key));
    }

    [Fact]
    public void Unwrap_Rfc3394Vector_256BitKek()
    {
        // RFC 3394 §4.6: 256 bits of key data with a 256-bit KEK.
        var kek = Convert.FromHexString("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
        var wrapped = Convert.FromHexString("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21");

        Assert.Equal(Convert.FromHexString("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"), AesKeyUnwrap.Unwrap(kek, wrapped));
    }

    private static JsonObject KbsJweFor(TeeKeyPair pair, byte[] secret)
    {
        var kbsKey = KbsSide.TeePublicKey.Parse(JsonNode.Parse(JsonSerializer.Serialize(pair.Jwk, AttesterJsonContext.Default.TeeJwk)));
        return KbsSide.KbsJwe.Encrypt(secret, kbsKey);
    }
}
