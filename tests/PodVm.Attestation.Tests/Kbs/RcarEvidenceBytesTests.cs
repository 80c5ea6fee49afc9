using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PodVm.Attestation.Kbs;

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
    };

    [Theory]
    [MemberData(nameof(Evidence))]
    public void Of_AnyElement_EqualsJsonNodeCompactSerialization(string json)
    {
        using var document = JsonDocument.Parse(json);

        var bytes = CompactJson.Of(document.RootElement);

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
    [InlineData("""{"runtime-data":{"nonce":"NONCE"},"runtime-data":{"nonce":"NONCE"},"tee-evidence":{"primary_evidence":{}}}""")]
    [InlineData("""{"runtime-data":{"nonce":"NONCE","tee-pubkey":JWK},"tee-evidence":{"primary_evidence":{},"primary_evidence":{}}}""")]
    public async Task AttestAsync_DuplicateMembers_ThrowAsBefore(string body)
    {
        using var tokenKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (rcar, attestation, auth, nonce, pub) = SampleSession(tokenKey);
        var bytes = Encoding.UTF8.GetBytes(body.Replace("NONCE", nonce, StringComparison.Ordinal).Replace("JWK", pub.ToJsonString(), StringComparison.Ordinal));

        // JsonNode refuses duplicate members when it reads them (an unexpected error: HTTP 500), as it did before.
        await Assert.ThrowsAsync<ArgumentException>(() => rcar.AttestAsync(auth.Cookie, bytes, TestContext.Current.CancellationToken).AsTask()).DefaultTimeout();
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
