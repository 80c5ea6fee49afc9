using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PodVm.Attestation.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

public sealed class KbsProtocolTests
{
    private static async Task AssertTrusteeError(HttpResponseMessage response, HttpStatusCode status, string variant, string? detailContains = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, response.StatusCode);
        var json = JsonNode.Parse(body)!;
        Assert.Equal(KbsError.TypePrefix + variant, (string?)json["type"]);
        if (detailContains is not null)
        {
            Assert.Contains(detailContains, (string?)json["detail"], StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> TeeKeys => new() { "P-256", "P-521", "RSA" };

    [Theory]
    [MemberData(nameof(TeeKeys))]
    public async Task Handshake_SampleEnabled_ResourceDecrypts(string keyType)
    {
        await using var host = await KbsTestHost.StartAsync();
        await KbsAdminClient.EnableSampleAsync(host);
        using var http = host.CreateClient();
        AsymmetricAlgorithm key = keyType switch
        {
            "P-256" => ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256),
            "P-521" => ECDiffieHellman.Create(ECCurve.NamedCurves.nistP521),
            _ => RSA.Create(2048),
        };
        var client = new RcarTestClient(http, key);

        var auth = await client.AuthAsync();
        Assert.Equal(HttpStatusCode.OK, auth.StatusCode);
        Assert.Contains(auth.Headers.GetValues("Set-Cookie"), c => c.StartsWith("kbs-session-id=", StringComparison.Ordinal));
        Assert.Equal(32, Convert.FromBase64String(client.Nonce!).Length);
        Assert.Equal(HttpStatusCode.OK, (await client.AttestAsync(client.SampleAttestation())).StatusCode);
        var resource = await client.GetResourceAsync("default/key/1");

        Assert.Equal(HttpStatusCode.OK, resource.StatusCode);
        Assert.Equal("this is a test secret", await client.DecryptAsync(resource));
    }

    [Fact]
    public async Task Attest_Token_IsEarWithTeeKeyAndAffirmingStatus()
    {
        await using var host = await KbsTestHost.StartAsync();
        await KbsAdminClient.EnableSampleAsync(host);
        using var http = host.CreateClient();
        var client = RcarTestClient.WithEcKey(http);
        await client.AuthAsync();
        await client.AttestAsync(client.SampleAttestation());

        var parts = client.Token!.Split('.');
        var header = JsonNode.Parse(Base64UrlText.Decode(parts[0], KbsErrorKind.TokenVerifierError, "h"))!;
        var claims = JsonNode.Parse(Base64UrlText.Decode(parts[1], KbsErrorKind.TokenVerifierError, "p"))!;

        Assert.Equal("ES256", (string?)header["alg"]);
        Assert.Equal("P-256", (string?)header["jwk"]!["crv"]);
        Assert.Equal(EarTokenIssuer.EatProfile, (string?)claims["eat_profile"]);
        var cpu0 = claims["submods"]!["cpu0"]!;
        Assert.Equal("affirming", (string?)cpu0["ear.status"]);
        Assert.Equal(2, (int)cpu0["ear.trustworthiness-vector"]!["hardware"]!);
        Assert.NotNull(cpu0["ear.veraison.annotated-evidence"]!["sample"]);
        Assert.Equal(client.TeePubKey()["x"]!.ToString(), (string?)cpu0["ear.veraison.annotated-evidence"]!["runtime_data_claims"]!["tee-pubkey"]!["x"]);
    }

    [Fact]
    public async Task GetResource_BearerTokenWithoutCookie_Released()
    {
        await using var host = await KbsTestHost.StartAsync();
        await KbsAdminClient.EnableSampleAsync(host);
        using var http = host.CreateClient();
        var client = RcarTestClient.WithEcKey(http);
        await client.AuthAsync();
        await client.AttestAsync(client.SampleAttestation());
        using var other = new HttpClient { BaseAddress = host.BaseUri };
        var fresh = new RcarTestClient(other, ECDiffieHellman.Create());

        var resource = await fresh.GetResourceAsync("default/key/1", bearer: client.Token);

        Assert.Equal(HttpStatusCode.OK, resource.StatusCode);
        Assert.Equal("this is a test secret", await client.DecryptAsync(resource));
    }

    [Fact]
    public async Task GetResource_DefaultPolicyWithSampleEvidence_PolicyDeny()
    {
        await using var host = await KbsTestHost.StartAsync();
        await KbsAdminClient.EnsureOk(await KbsAdminClient.PostAsync(host, "/kbs/v0/resource/default/key/1", new ByteArrayContent("s"u8.ToArray())));
        using var http = host.CreateClient();
        var client = RcarTestClient.WithEcKey(http);
        await client.AuthAsync();

        var attest = await client.AttestAsync(client.SampleAttestation());
        Assert.Equal(HttpStatusCode.OK, attest.StatusCode);
        var claims = EarTokenIssuer.ReadUnverifiedPayload(client.Token!);
        Assert.Equal("contraindicated", (string?)claims["submods"]!["cpu0"]!["ear.status"]);

        await AssertTrusteeError(await client.GetResourceAsync("default/key/1"), HttpStatusCode.Unauthorized, "PolicyDeny", "Access denied by policy");
    }

    [Fact]
    public async Task GetResource_DeniedPath_PolicyDeny()
    {
        await using var host = await KbsTestHost.StartAsync();
        await KbsAdminClient.EnableSampleAsync(host, "default/key/denied");
        using var http = host.CreateClient();
        var client = RcarTestClient.WithEcKey(http);
        await client.AuthAsync();
        await client.AttestAsync(client.SampleAttestation());

        await AssertTrusteeError(await client.GetResourceAsync("default/key/denied"), HttpStatusCode.Unauthorized, "PolicyDeny");
    }

    [Fact]
    public async Task Attest_WrongNonce_AttestationError()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = host.CreateClient();
        var client = RcarTestClient.WithEcKey(http);
        await client.AuthAsync();

        var response = await client.AttestAsync(client.SampleAttestation(nonce: Convert.ToBase64String(new byte[32])));

        await AssertTrusteeError(response, HttpStatusCode.Unauthorized, "AttestationError", "nonce in the handshake session is different");
    }

    [Fact]
    public async Task Attest_DuplicateMembers_AttestationError()
    {
        await using var host = await KbsTestHost.StartAsync();
        await KbsAdminClient.EnableSampleAsync(host);
        using var http = host.CreateClient();
        var client = RcarTestClient.WithEcKey(http);
        await client.AuthAsync();
        var attestation = client.SampleAttestation().ToJsonString();
        var duplicated = attestation.Insert(1, "\"runtime-data\":{\"nonce\":\"x\"},");

        using var response = await http.PostAsync("/kbs/v0/attest", new StringContent(duplicated, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken).DefaultTimeout();

        await AssertTrusteeError(response, HttpStatusCode.Unauthorized, "AttestationError", "duplicate field `runtime-data`");
        // The session is untouched by the refusal: the same nonce still attests once.
        Assert.Equal(HttpStatusCode.OK, (await client.AttestAsync(client.SampleAttestation())).StatusCode);
    }

    [Fact]
    public async Task Auth_DuplicateMembers_AttestationError()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = host.CreateClient();

        using var response = await http.PostAsync("/kbs/v0/auth", new StringContent("""{"version":"0.4.0","tee":"sample","tee":"snp","extra-params":""}""", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken).DefaultTimeout();

        await AssertTrusteeError(response, HttpStatusCode.Unauthorized, "AttestationError", "deserialize Request");
    }

    [Fact]
    public async Task Attest_EvidenceBoundToAnotherNonce_AttestationError()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = host.CreateClient();
        var client = RcarTestClient.WithEcKey(http);
        await client.AuthAsync();

        var response = await client.AttestAsync(client.SampleAttestation(reportNonce: Convert.ToBase64String(new byte[32])));

        await AssertTrusteeError(response, HttpStatusCode.Unauthorized, "AttestationError", "ReportDataMismatch");
    }

    [Fact]
    public async Task Attest_ReplayedEvidenceInNewSession_AttestationError()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = host.CreateClient();
        var client = RcarTestClient.WithEcKey(http);
        await client.AuthAsync();
        var first = client.SampleAttestation();
        await client.AttestAsync(first);
        await client.AuthAsync();

        await AssertTrusteeError(await client.AttestAsync(first), HttpStatusCode.Unauthorized, "AttestationError", "nonce");
    }

    [Fact]
    public async Task Attest_ReplayedAuthedCookieAfterAttestation_AttestationError()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = host.BaseUri };
        var client = RcarTestClient.WithEcKey(http);
        var auth = await client.AuthAsync();
        var cookie = auth.Headers.GetValues("Set-Cookie").First().Split(';')[0];
        var attestation = client.SampleAttestation();

        async Task<HttpResponseMessage> Post()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/kbs/v0/attest") { Content = RcarTestClient.Json(attestation) };
            request.Headers.Add("Cookie", cookie);
            return await http.SendAsync(request).DefaultTimeout();
        }

        Assert.Equal(HttpStatusCode.OK, (await Post()).StatusCode);
        await AssertTrusteeError(await Post(), HttpStatusCode.Unauthorized, "AttestationError", "already used");
    }

    [Fact]
    public async Task Attest_ExpiredSession_AttestationError()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await KbsTestHost.StartAsync(time: time);
        using var http = host.CreateClient();
        var client = RcarTestClient.WithEcKey(http);
        await client.AuthAsync();
        time.Advance(TimeSpan.FromMinutes(5));

        await AssertTrusteeError(await client.AttestAsync(client.SampleAttestation()), HttpStatusCode.Unauthorized, "AttestationError", "session expired");
    }

    [Fact]
    public async Task GetResource_ExpiredToken_TokenVerifierError()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await KbsTestHost.StartAsync(time: time);
        await KbsAdminClient.EnableSampleAsync(host);
        using var http = host.CreateClient();
        var client = RcarTestClient.WithEcKey(http);
        await client.AuthAsync();
        await client.AttestAsync(client.SampleAttestation());
        time.Advance(TimeSpan.FromMinutes(10));
        using var other = new HttpClient { BaseAddress = host.BaseUri };

        await AssertTrusteeError(await new RcarTestClient(other, ECDiffieHellman.Create()).GetResourceAsync("default/key/1", client.Token), HttpStatusCode.Unauthorized, "TokenVerifierError");
    }

    [Fact]
    public async Task Auth_VersionMismatch_AttestationError()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = host.CreateClient();

        var response = await RcarTestClient.WithEcKey(http).AuthAsync(version: "0.1.1");

        await AssertTrusteeError(response, HttpStatusCode.Unauthorized, "AttestationError", "KBS Client Protocol Version Mismatch");
    }

    [Fact]
    public async Task Attest_NoCookie_AttestationError()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = host.CreateClient();
        var client = RcarTestClient.WithEcKey(http);

        await AssertTrusteeError(await client.AttestAsync(client.SampleAttestation(nonce: "x")), HttpStatusCode.Unauthorized, "AttestationError", "cookie");
    }

    [Fact]
    public async Task GetResource_NoToken_TokenNotFound()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = host.CreateClient();

        await AssertTrusteeError(await RcarTestClient.WithEcKey(http).GetResourceAsync("default/key/1"), HttpStatusCode.Unauthorized, "TokenNotFound");
    }

    [Fact]
    public async Task GetResource_ForgedToken_TokenVerifierError()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = host.CreateClient();
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = new EarTokenIssuer(forger, TimeProvider.System, TimeSpan.FromMinutes(5)).Issue(new JsonObject
        {
            ["submods"] = new JsonObject { ["cpu0"] = new JsonObject { ["ear.status"] = "affirming" } },
        });

        await AssertTrusteeError(await RcarTestClient.WithEcKey(http).GetResourceAsync("default/key/1", forged), HttpStatusCode.Unauthorized, "TokenVerifierError");
    }

    [Theory]
    [InlineData("default/key")]
    [InlineData("default/key/1/2")]
    [InlineData("default/../1")]
    public async Task GetResource_InvalidPath_InvalidRequestPath(string path)
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = host.CreateClient();

        await AssertTrusteeError(await RcarTestClient.WithEcKey(http).GetResourceAsync(path), HttpStatusCode.NotFound, "InvalidRequestPath");
    }

    [Fact]
    public async Task Get_UnknownPlugin_PluginNotFound()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = host.CreateClient();

        await AssertTrusteeError(await http.GetAsync("/kbs/v0/nebula-ca/x").DefaultTimeout(), HttpStatusCode.NotFound, "PluginNotFound");
    }

    [Fact]
    public async Task Handshake_ReplicasSharingDatabase_ContinueEachOthersSessions()
    {
        await using var a = await KbsTestHost.StartAsync();
        await using var b = await KbsTestHost.StartAsync(directory: a.Directory, adminKey: a.AdminKey);
        await KbsAdminClient.EnableSampleAsync(a);
        using var httpA = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = a.BaseUri };
        using var httpB = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = b.BaseUri };
        var client = RcarTestClient.WithEcKey(httpA);
        var auth = await client.AuthAsync();
        var cookie = auth.Headers.GetValues("Set-Cookie").First().Split(';')[0];

        using var attest = new HttpRequestMessage(HttpMethod.Post, "/kbs/v0/attest") { Content = RcarTestClient.Json(client.SampleAttestation()) };
        attest.Headers.Add("Cookie", cookie);
        var attested = await httpB.SendAsync(attest).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, attested.StatusCode);
        var attestedCookie = attested.Headers.GetValues("Set-Cookie").First().Split(';')[0];
        using var get = new HttpRequestMessage(HttpMethod.Get, "/kbs/v0/resource/default/key/1");
        get.Headers.Add("Cookie", attestedCookie);
        var resource = await httpA.SendAsync(get).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, resource.StatusCode);
        Assert.Equal("this is a test secret", await client.DecryptAsync(resource));
    }

    [Fact]
    public async Task Metrics_AfterHandshake_CountsRequests()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = host.CreateClient();
        await RcarTestClient.WithEcKey(http).AuthAsync();

        var metrics = await http.GetStringAsync("/metrics").DefaultTimeout();

        Assert.Contains("kbs_auth_requests_total 1", metrics, StringComparison.Ordinal);
        Assert.Equal("ok", await http.GetStringAsync("/healthz").DefaultTimeout());
    }

    [Fact]
    public async Task Auth_OverRateLimit_TooManyRequests()
    {
        await using var host = await KbsTestHost.StartAsync(extraArgs: ["--Kbs:RateLimitPerSecond=1", "--Kbs:RateLimitBurst=2"]);
        using var http = host.CreateClient();
        var client = RcarTestClient.WithEcKey(http);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await client.AuthAsync()).StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }
}
