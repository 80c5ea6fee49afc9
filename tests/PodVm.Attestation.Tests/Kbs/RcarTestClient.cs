using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PodVm.Attestation.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>A minimal RCAR guest for tests: sample evidence, P-256/P-521/RSA TEE keys, cookie-based session.</summary>
internal sealed class RcarTestClient(HttpClient http, AsymmetricAlgorithm teeKey)
{
    public string? Nonce { get; private set; }

    public string? Token { get; private set; }

    public static RcarTestClient WithEcKey(HttpClient http, ECCurve? curve = null) => new(http, ECDiffieHellman.Create(curve ?? ECCurve.NamedCurves.nistP256));

    public JsonObject TeePubKey()
    {
        switch (teeKey)
        {
            case ECDiffieHellman ec:
                {
                    var p = ec.ExportParameters(false);
                    var crv = p.Q.X!.Length switch { 32 => "P-256", 48 => "P-384", _ => "P-521" };
                    return new JsonObject { ["kty"] = "EC", ["crv"] = crv, ["alg"] = "ECDH-ES+A256KW", ["x"] = Base64UrlText.Encode(p.Q.X), ["y"] = Base64UrlText.Encode(p.Q.Y) };
                }

            case RSA rsa:
                {
                    var p = rsa.ExportParameters(false);
                    return new JsonObject { ["kty"] = "RSA", ["alg"] = "RSA-OAEP-256", ["n"] = Base64UrlText.Encode(p.Modulus), ["e"] = Base64UrlText.Encode(p.Exponent) };
                }

            default:
                throw new InvalidOperationException("unsupported key");
        }
    }

    public async Task<HttpResponseMessage> AuthAsync(string tee = "sample", string version = "0.4.0")
    {
        var body = new JsonObject { ["version"] = version, ["tee"] = tee, ["extra-params"] = new JsonObject { ["supported-hash-algorithms"] = new JsonArray("sha384") } };
        var response = await http.PostAsync("/kbs/v0/auth", Json(body)).DefaultTimeout();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            Nonce = (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["nonce"];
        }

        return response;
    }

    public JsonObject SampleAttestation(string? nonce = null, string? reportNonce = null)
    {
        nonce ??= Nonce!;
        var pub = TeePubKey();
        var binding = RuntimeDataBinding.Build(reportNonce ?? nonce, TeePublicKey.Parse(pub).Jwk, "");
        var digest = SHA384.HashData(Encoding.UTF8.GetBytes(Jcs.CanonicalizeToString(binding)));
        return new JsonObject
        {
            ["runtime-data"] = new JsonObject { ["nonce"] = nonce, ["tee-pubkey"] = pub },
            ["tee-evidence"] = new JsonObject
            {
                ["primary_evidence"] = new JsonObject { ["svn"] = "1", ["report_data"] = Convert.ToBase64String(digest) },
                ["additional_evidence"] = "",
            },
        };
    }

    public async Task<HttpResponseMessage> AttestAsync(JsonObject attestation)
    {
        var response = await http.PostAsync("/kbs/v0/attest", Json(attestation)).DefaultTimeout();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            Token = (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["token"];
        }

        return response;
    }

    public async Task<HttpResponseMessage> GetResourceAsync(string path, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/kbs/v0/resource/" + path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await http.SendAsync(request).DefaultTimeout();
    }

    public async Task<string> DecryptAsync(HttpResponseMessage response)
    {
        var jwe = (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return Encoding.UTF8.GetString(KbsJwe.Decrypt(jwe, teeKey));
    }

    public static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");
}
