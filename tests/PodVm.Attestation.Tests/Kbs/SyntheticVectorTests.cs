using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PodVm.Attestation.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

public sealed class SyntheticVectorTests
{
    private static readonly JsonObject Vector = (JsonObject)JsonNode.Parse(File.ReadAllText(
        Path.Combine(RepoPaths.AttestationVectors, "synthetic", "kbs-rcar-binding-and-jwe.SYNTHETIC.json")))!;

    private static ECDiffieHellman TeePrivateKey()
    {
        var key = ECDiffieHellman.Create();
        key.ImportFromPem((string)Vector["tee_private_key_pkcs8_pem"]!);
        return key;
    }

    [Fact]
    public void Canonicalize_RuntimeData_MatchesVectorJcs()
    {
        var teeKey = TeePublicKey.Parse(Vector["tee_pubkey_jwk"]);
        var runtimeData = RuntimeDataBinding.Build((string)Vector["nonce"]!, teeKey.Jwk, "");

        Assert.Equal((string)Vector["runtime_data_jcs"]!, Jcs.CanonicalizeToString(runtimeData));
    }

    [Fact]
    public void Digest_RuntimeData_MatchesVectorSha384AndReportData()
    {
        var teeKey = TeePublicKey.Parse(Vector["tee_pubkey_jwk"]);
        var digest = RuntimeDataBinding.Digest(RuntimeDataBinding.Build((string)Vector["nonce"]!, teeKey.Jwk, ""));

        Assert.Equal((string)Vector["runtime_data_sha384"]!, Convert.ToHexStringLower(digest));
        Assert.Equal((string)Vector["snp_report_data_expected"]!, Convert.ToHexStringLower(RuntimeDataBinding.ToReportData(digest)));
        Assert.Equal((string)Vector["tdx_report_data_expected"]!, Convert.ToHexStringLower(RuntimeDataBinding.ToReportData(digest)));
    }

    [Fact]
    public void Digest_RuntimeDataWithExtraJwkMembers_IgnoresThem()
    {
        var jwk = (JsonObject)Vector["tee_pubkey_jwk"]!.DeepClone();
        jwk["kid"] = "extra";
        jwk["use"] = "enc";
        var digest = RuntimeDataBinding.Digest(RuntimeDataBinding.Build((string)Vector["nonce"]!, TeePublicKey.Parse(jwk).Jwk, ""));

        Assert.Equal((string)Vector["runtime_data_sha384"]!, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Canonicalize_UpstreamTrusteeVector_MatchesSha384()
    {
        var digest = SHA384.HashData(Jcs.Canonicalize(JsonNode.Parse("""{"b":1,"a":"test","c":{"d":"e"}}""")));

        Assert.Equal("e71ce8e70d814ba6639c3612ebee0ff1f76f650f8dbb5e47157e0f3f525cd22c4597480a186427c813ca941da78870c3", Convert.ToHexStringLower(digest));
    }

    [Theory]
    [InlineData("""{"n":1.5,"m":-0,"k":1e21,"j":1e-7,"i":123456789012,"h":"\u0001é"}""",
        """{"h":"\u0001é","i":123456789012,"j":1e-7,"k":1e+21,"m":0,"n":1.5}""")]
    [InlineData("""{"\u20ac":1,"\r":2,"1":3}""", """{"\r":2,"1":3,"€":1}""")]
    public void Canonicalize_Rfc8785Cases_Canonical(string input, string expected)
    {
        Assert.Equal(expected, Jcs.CanonicalizeToString(JsonNode.Parse(input)));
    }

    [Fact]
    public void Decrypt_VectorJwe_IntermediatesAndPlaintextMatch()
    {
        using var tee = TeePrivateKey();
        var jwe = (JsonObject)Vector["jwe_response"]!;
        var header = JsonNode.Parse(Base64UrlText.Decode((string)jwe["protected"]!, KbsErrorKind.JweError, "p"))!;
        using var epk = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlText.Decode((string)header["epk"]!["x"]!, KbsErrorKind.JweError, "x"), Y = Base64UrlText.Decode((string)header["epk"]!["y"]!, KbsErrorKind.JweError, "y") },
        });

        var z = tee.DeriveRawSecretAgreement(epk.PublicKey);
        var kek = ConcatKdf.DeriveA256KwKey(z);
        var cek = AesKeyWrap.Unwrap(kek, Base64UrlText.Decode((string)jwe["encrypted_key"]!, KbsErrorKind.JweError, "k"));

        Assert.Equal((string)Vector["debug"]!["ecdh_z"]!, Convert.ToHexStringLower(z));
        Assert.Equal((string)Vector["debug"]!["concat_kdf_kek"]!, Convert.ToHexStringLower(kek));
        Assert.Equal((string)Vector["debug"]!["cek"]!, Convert.ToHexStringLower(cek));
        Assert.Equal((string)Vector["jwe_plaintext"]!, Encoding.UTF8.GetString(KbsJwe.Decrypt(jwe, tee)));
    }

    [Fact]
    public void Seal_VectorKeyMaterial_ReproducesJweBitForBit()
    {
        var expected = (JsonObject)Vector["jwe_response"]!;
        var header = JsonNode.Parse(Base64UrlText.Decode((string)expected["protected"]!, KbsErrorKind.JweError, "p"))!;
        var epkX = Base64UrlText.Decode((string)header["epk"]!["x"]!, KbsErrorKind.JweError, "x");
        var epkY = Base64UrlText.Decode((string)header["epk"]!["y"]!, KbsErrorKind.JweError, "y");
        var kek = Convert.FromHexString((string)Vector["debug"]!["concat_kdf_kek"]!);
        var cek = Convert.FromHexString((string)Vector["debug"]!["cek"]!);
        var iv = Base64UrlText.Decode((string)expected["iv"]!, KbsErrorKind.JweError, "iv");

        var jwe = KbsJwe.Seal(
            Encoding.UTF8.GetBytes((string)Vector["jwe_plaintext"]!),
            KbsJwe.EcHeader("P-256", epkX, epkY),
            AesKeyWrap.Wrap(kek, cek),
            cek,
            iv);

        Assert.Equal(expected.ToJsonString(), jwe.ToJsonString());
    }

    [Theory]
    [InlineData("P-256")]
    [InlineData("P-521")]
    public void Encrypt_EcTeeKey_DecryptsWithPrivateKey(string crv)
    {
        using var tee = ECDiffieHellman.Create(crv == "P-256" ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP521);
        var p = tee.ExportParameters(false);
        var jwk = new JsonObject { ["kty"] = "EC", ["crv"] = crv, ["alg"] = "ECDH-ES+A256KW", ["x"] = Base64UrlText.Encode(p.Q.X), ["y"] = Base64UrlText.Encode(p.Q.Y) };

        var jwe = KbsJwe.Encrypt("secret"u8, TeePublicKey.Parse(jwk));

        Assert.Equal("secret", Encoding.UTF8.GetString(KbsJwe.Decrypt(jwe, tee)));
        Assert.Equal(40, Base64UrlText.Decode((string)jwe["encrypted_key"]!, KbsErrorKind.JweError, "k").Length);
    }

    [Fact]
    public void Encrypt_RsaOaep256TeeKey_DecryptsWithPrivateKey()
    {
        using var tee = RSA.Create(2048);
        var p = tee.ExportParameters(false);
        var jwk = new JsonObject { ["kty"] = "RSA", ["alg"] = "RSA-OAEP-256", ["n"] = Base64UrlText.Encode(p.Modulus), ["e"] = Base64UrlText.Encode(p.Exponent) };

        var jwe = KbsJwe.Encrypt("secret"u8, TeePublicKey.Parse(jwk));

        Assert.Equal("secret", Encoding.UTF8.GetString(KbsJwe.Decrypt(jwe, tee)));
        Assert.Equal("""{"alg":"RSA-OAEP-256","enc":"A256GCM"}""", Encoding.UTF8.GetString(Base64UrlText.Decode((string)jwe["protected"]!, KbsErrorKind.JweError, "p")));
    }

    [Fact]
    public void Parse_PointNotOnCurve_Rejected()
    {
        var jwk = (JsonObject)Vector["tee_pubkey_jwk"]!.DeepClone();
        jwk["y"] = Base64UrlText.Encode(new byte[32]);

        var ex = Assert.Throws<KbsException>(() => TeePublicKey.Parse(jwk));

        Assert.Equal(KbsErrorKind.RcarAttestFailed, ex.Kind);
    }
}
