using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>
/// The primary evidence RcarService hands to the verifier: the request's own bytes when they are already compact JSON,
/// otherwise the compact re-serialization; in every case byte for byte what JsonNode.ToJsonString(JsonText.Compact)
/// writes, which is what the verifiers received before.
/// </summary>
public sealed class RcarEvidenceBytesTests
{
    public static TheoryData<string> Evidence => new()
    {
        """{"svn":"1","report_data":"AAEC"}""",
        "{ \"svn\" : \"1\",\n  \"report_data\" : \"AAEC\" }\r\n",
        """{"s":"a\u002Bb\n","t":"\"quoted\""}""",
        """{"s":"é€","emoji":"😀"}""",
        "{\"del\":\"a\u007Fb\"}",
        """{"n":[1,2.50,-0,1e3,1E-7,123456789012345678901234567890],"b":true,"z":null,"o":{},"a":[]}""",
        """{"html":"<script>&'`+"}""",
        """{"dup":1,"dup":2}""",
        "\"a JSON string\"",
        "[1, 2, 3]",
        "12345",
        "{\"report\":[" + string.Join(',', Enumerable.Range(0, 40)) + "],\"s\":\"[1,2]\"}",
        "{ \"report\" : [" + string.Join(", ", Enumerable.Range(200, 40).Select(i => i % 256)) + "],\n \"nested\": [[" + string.Join(',', Enumerable.Range(0, 16)) + "], [1.5, 2]] }",
        "{\"report\":[" + string.Join(',', Enumerable.Range(0, 20)) + ",300]}",
    };

    [Theory]
    [MemberData(nameof(Evidence))]
    public void Of_AnyElement_EqualsJsonNodeCompactSerialization(string json)
    {
        using var document = JsonDocument.Parse(json);

        var bytes = CompactJson.Of(document.RootElement);

        Assert.Equal(JsonNode.Parse(json)!.ToJsonString(JsonText.Compact), Encoding.UTF8.GetString(bytes));
    }

    [Theory]
    [MemberData(nameof(Evidence))]
    public void Of_ElementOfAMaskedDocument_EqualsJsonNodeCompactSerialization(string json)
    {
        using var document = MaskedJsonDocument.Parse(Encoding.UTF8.GetBytes(json), minMaskedElements: 1);

        var bytes = CompactJson.Of(document, document.RootElement);

        Assert.Equal(JsonNode.Parse(json)!.ToJsonString(JsonText.Compact), Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Of_AllPrintableAsciiInAString_EqualsJsonNodeCompactSerialization()
    {
        var chars = new string([.. Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).Where(c => c is not '"' and not '\\')]);
        var json = "{\"k\":\"" + chars + "\"}";
        using var document = JsonDocument.Parse(json);

        Assert.True(CompactJson.IsCompact(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(JsonNode.Parse(json)!.ToJsonString(JsonText.Compact), Encoding.UTF8.GetString(CompactJson.Of(document.RootElement)));
    }

    [Theory]
    [InlineData("""{"a":"b c","d":[1,2]}""", true)]
    [InlineData("""{"a": "b"}""", false)]
    [InlineData("""{"a":"b\"c"}""", false)]
    [InlineData("""{"a":"é"}""", false)]
    [InlineData("{\"a\":\"\u007F\"}", false)]
    [InlineData("{\"a\":1}\n", false)]
    public void IsCompact_Text_TrueOnlyWhenAWriterWouldNotChangeIt(string json, bool expected) =>
        Assert.Equal(expected, CompactJson.IsCompact(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [MemberData(nameof(Evidence))]
    public async Task AttestAsync_PrimaryEvidence_ReachesTheVerifierAsItsCompactSerialization(string evidence)
    {
        using var tokenKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (rcar, attestation, auth, nonce, pub) = SampleSession(tokenKey);
        var body = "{\"runtime-data\": {\"nonce\":\"" + nonce + "\",\"tee-pubkey\":" + pub.ToJsonString() + "},\n \"tee-evidence\": {\"primary_evidence\": " + evidence + ", \"additional_evidence\":\"\"}}";

        await rcar.AttestAsync(auth.Cookie, Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken).AsTask().DefaultTimeout();

        var request = Assert.Single(attestation.Requests);
        Assert.Equal(JsonNode.Parse(evidence)!.ToJsonString(JsonText.Compact), Encoding.UTF8.GetString(request.Evidence.Span));
        Assert.Equal(nonce, (string?)request.StructuredRuntimeData!["nonce"]);
    }

    [Theory]
    [InlineData("""{"runtime-data":{"nonce":"NONCE"},"runtime-data":{"nonce":"NONCE"},"tee-evidence":{"primary_evidence":{}}}""", "`runtime-data` in Attestation")]
    [InlineData("""{"runtime-data":{"nonce":"NONCE","tee-pubkey":JWK},"tee-evidence":{"primary_evidence":{},"primary_evidence":{}}}""", "`primary_evidence` in tee-evidence")]
    [InlineData("""{"runtime-data":{"nonce":"NONCE","nonce":"NONCE","tee-pubkey":JWK},"tee-evidence":{"primary_evidence":{}}}""", "`nonce` in runtime-data")]
    [InlineData("""{"runtime-data":{"nonce":"NONCE","tee-pubkey":{"kty":"EC","kty":"EC"}},"tee-evidence":{"primary_evidence":{}}}""", "`kty` in runtime-data.tee-pubkey")]
    [InlineData("""{"runtime-data":{"nonce":"NONCE","tee-pubkey":JWK},"tee-evidence":{"primary_evidence":{}},"init-data":{"format":"toml","format":"toml","body":""}}""", "`format` in init-data")]
    public async Task AttestAsync_DuplicateMembers_RefusedAsAttestFailure(string body, string named)
    {
        using var tokenKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (rcar, attestation, auth, nonce, pub) = SampleSession(tokenKey);
        var bytes = Encoding.UTF8.GetBytes(body.Replace("NONCE", nonce, StringComparison.Ordinal).Replace("JWK", pub.ToJsonString(), StringComparison.Ordinal));

        // As serde refuses them in Trustee: a 401 with Trustee's error body, never an unexpected error (HTTP 500).
        var refused = await Assert.ThrowsAsync<KbsException>(() => rcar.AttestAsync(auth.Cookie, bytes, TestContext.Current.CancellationToken).AsTask()).DefaultTimeout();

        Assert.Equal(KbsErrorKind.RcarAttestFailed, refused.Kind);
        Assert.Contains("duplicate field " + named, refused.Message, StringComparison.Ordinal);
        Assert.Empty(attestation.Requests);
    }

    [Fact]
    public async Task AttestAsync_DuplicateMembersInsidePrimaryEvidence_ReachTheVerifier()
    {
        using var tokenKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (rcar, attestation, auth, nonce, pub) = SampleSession(tokenKey);
        var body = "{\"runtime-data\":{\"nonce\":\"" + nonce + "\",\"tee-pubkey\":" + pub.ToJsonString() + "},\"tee-evidence\":{\"primary_evidence\":{\"a\":1,\"a\":2}}}";

        await rcar.AttestAsync(auth.Cookie, Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken).AsTask().DefaultTimeout();

        // The evidence is the verifier's to judge, as before: the envelope check does not look inside it.
        Assert.Equal("""{"a":1,"a":2}""", Encoding.UTF8.GetString(Assert.Single(attestation.Requests).Evidence.Span));
    }

    [Theory]
    [InlineData("""{"version":"0.4.0","version":"0.4.0","tee":"sample","extra-params":""}""")]
    [InlineData("""{"version":0.4,"tee":"sample","extra-params":""}""")]
    public void Auth_DuplicateOrNonStringMembers_RefusedAsAuthFailure(string body)
    {
        using var tokenKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (rcar, _, _, _, _) = SampleSession(tokenKey);

        var refused = Assert.Throws<KbsException>(() => rcar.Auth(Encoding.UTF8.GetBytes(body)));

        Assert.Equal(KbsErrorKind.RcarAuthFailed, refused.Kind);
    }

    [Fact]
    public async Task AttestAsync_NonStringNonce_RefusedAsNonceMismatch()
    {
        using var tokenKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (rcar, attestation, auth, _, pub) = SampleSession(tokenKey);
        var body = "{\"runtime-data\":{\"nonce\":12,\"tee-pubkey\":" + pub.ToJsonString() + "},\"tee-evidence\":{\"primary_evidence\":{}}}";

        var refused = await Assert.ThrowsAsync<KbsException>(() => rcar.AttestAsync(auth.Cookie, Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken).AsTask()).DefaultTimeout();

        Assert.Equal(KbsErrorKind.RcarAttestFailed, refused.Kind);
        Assert.Contains("nonce", refused.Message, StringComparison.Ordinal);
        Assert.Empty(attestation.Requests);
    }

    [Fact]
    public void Encrypt_UncheckedPointNotOnCurve_RefusedAsParseRefusesIt()
    {
        using var tee = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var p = tee.ExportParameters(false);
        var jwk = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["alg"] = "ECDH-ES+A256KW", ["x"] = Base64UrlText.Encode(p.Q.X), ["y"] = Base64UrlText.Encode(new byte[32]) };

        var unchecked_ = TeePublicKey.Parse(jwk, checkPoint: false);
        var fromEncrypt = Assert.Throws<KbsException>(() => KbsJwe.Encrypt("secret"u8, unchecked_));
        var fromParse = Assert.Throws<KbsException>(() => TeePublicKey.Parse(jwk));

        Assert.Equal(fromParse.Kind, fromEncrypt.Kind);
        Assert.Equal(fromParse.Message, fromEncrypt.Message);
    }

    /// <summary>An RCAR service over an in-memory store with a capturing verifier, a sample-TEE session and a fresh TEE key.</summary>
    private static (RcarService Rcar, CapturingAttestationService Attestation, RcarResponse Auth, string Nonce, JsonObject TeeKey) SampleSession(ECDsa tokenKey)
    {
        var time = TimeProvider.System;
        var store = new InMemoryKbsStore(time);
        var attestation = new CapturingAttestationService();
        var rcar = new RcarService(attestation, new EarTokenVerifier([tokenKey], time), new SessionSealer(RandomNumberGenerator.GetBytes(32)), store, store, store, time, TimeSpan.FromMinutes(5));
        var auth = rcar.Auth("""{"version":"0.4.0","tee":"sample","extra-params":""}"""u8);
        var nonce = (string)JsonNode.Parse(auth.Body)!["nonce"]!;
        using var teeKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var p = teeKey.ExportParameters(false);
        var pub = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["alg"] = "ECDH-ES+A256KW", ["x"] = Base64UrlText.Encode(p.Q.X), ["y"] = Base64UrlText.Encode(p.Q.Y) };
        return (rcar, attestation, auth, nonce, pub);
    }
}
