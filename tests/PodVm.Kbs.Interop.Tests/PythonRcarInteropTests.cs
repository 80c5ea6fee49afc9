using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PodVm.Attestation.Verification;

namespace PodVm.Kbs.Interop.Tests;

/// <summary>The independent Python client (jwcrypto) against the KBS host on 127.0.0.1:0 with the sample TEE enabled.</summary>
public sealed class PythonRcarInteropTests : IAsyncLifetime
{
    private const string ErrorPrefix = "https://github.com/confidential-containers/kbs/errors/";
    private const string Secret = "this is a test secret from kbs:///default/key/1";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ECDsa _admin = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private WebApplication? _app;
    private Uri? _base;

    public async ValueTask InitializeAsync()
    {
        await PythonRcarClient.RequirePythonAsync();
        var dir = Directory.CreateTempSubdirectory("podvm-kbs-interop").FullName;
        var adminPem = Path.Combine(dir, "admin.pub.pem");
        await File.WriteAllTextAsync(adminPem, _admin.ExportSubjectPublicKeyInfoPem());
        _app = KbsHost.Build(
            [
                "--Kbs:Urls:0=http://127.0.0.1:0",
                $"--Kbs:DatabasePath={Path.Combine(dir, "kbs.db")}",
                $"--Kbs:AdminPublicKeyFiles:0={adminPem}",
                "--Kbs:AllowUnsignedReferenceValues=true",
            ],
            configureServices: services =>
            {
                services.AddSingleton<IEvidenceVerifier, SampleEvidenceVerifier>();
                services.AddSingleton<TimeProvider>(_time);
            });
        await _app.StartAsync().DefaultTimeout();
        _base = _app.Services.GetRequiredService<KbsBoundEndpoints>().HttpUris[0];
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().DefaultTimeout();
            await _app.DisposeAsync();
        }

        _admin.Dispose();
    }

    private async Task AdminPostAsync(string path, string json)
    {
        using var http = new HttpClient { BaseAddress = _base };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminAuthenticator.CreateToken(_admin, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        var response = await http.SendAsync(request).DefaultTimeout();
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string B64Url(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The test's explicit opt-in to the sample TEE: attestation policy, reference value, resource policy.</summary>
    private async Task EnableSampleAsync()
    {
        await AdminPostAsync("/kbs/v0/attestation-policy", new JsonObject
        {
            ["policy_id"] = "default",
            ["policy"] = B64Url("""{"version":"0.1.0","id":"default","allowed_tees":["sample"],"rules":{"sample":[{"claim":"/svn","reference":"sample_svn","match":"min","component":"hardware"}]}}"""),
        }.ToJsonString());
        await AdminPostAsync("/kbs/v0/resource-policy", new JsonObject
        {
            ["policy"] = B64Url("""{"version":"0.1.0","rules":[{"effect":"deny","paths":["*/*/denied"]},{"effect":"allow","paths":["*/*/*"],"status":"affirming","tees":["sample"]}]}"""),
        }.ToJsonString());
        await AdminPostAsync("/kbs/v0/reference-value", new JsonObject
        {
            ["version"] = "0.1.0",
            ["type"] = "sample",
            ["payload"] = Convert.ToBase64String("""{"sample_svn":["1"]}"""u8),
        }.ToJsonString());
        await SetResourceAsync("default/key/1");
        await SetResourceAsync("default/key/denied");
    }

    private async Task SetResourceAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = _base };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/kbs/v0/resource/" + path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Secret)) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminAuthenticator.CreateToken(_admin, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.True((await http.SendAsync(request).DefaultTimeout()).IsSuccessStatusCode);
    }

    private static void AssertError(JsonObject result, int status, string variant)
    {
        Assert.Equal(status, (int)result["status"]!);
        Assert.Equal(ErrorPrefix + variant, (string?)result["body"]!["type"]);
        Assert.False(string.IsNullOrEmpty((string?)result["body"]!["detail"]));
    }

    [Theory]
    [InlineData("p256")]
    [InlineData("p521")]
    [InlineData("rsa")]
    public async Task Python_AuthAttestResource_DecryptsResource(string key)
    {
        await EnableSampleAsync();
        var client = new PythonRcarClient(_base!);

        Assert.Equal(200, (int)(await client.StepAsync("auth", "--key", key))["status"]!);
        Assert.Equal(200, (int)(await client.StepAsync("attest"))["status"]!);
        var resource = await client.StepAsync("resource", "default/key/1");

        Assert.Equal(200, (int)resource["status"]!);
        Assert.Equal(Secret, (string?)resource["plaintext"]);
        Assert.Equal("A256GCM", (string?)resource["protected"]!["enc"]);
    }

    [Fact]
    public async Task Python_BearerToken_DecryptsResource()
    {
        await EnableSampleAsync();
        var client = new PythonRcarClient(_base!);
        await client.StepAsync("auth");
        await client.StepAsync("attest");

        var resource = await client.StepAsync("resource", "default/key/1", "--bearer");

        Assert.Equal(Secret, (string?)resource["plaintext"]);
    }

    [Fact]
    public async Task Python_WrongNonce_AttestationError()
    {
        await EnableSampleAsync();
        var client = new PythonRcarClient(_base!);
        await client.StepAsync("auth");

        AssertError(await client.StepAsync("attest", "--nonce", Convert.ToBase64String(new byte[32])), 401, "AttestationError");
    }

    [Fact]
    public async Task Python_EvidenceForAnotherNonce_AttestationError()
    {
        await EnableSampleAsync();
        var client = new PythonRcarClient(_base!);
        await client.StepAsync("auth");

        AssertError(await client.StepAsync("attest", "--report-nonce", Convert.ToBase64String(new byte[32])), 401, "AttestationError");
    }

    [Fact]
    public async Task Python_ReplayedEvidenceInNewSession_AttestationError()
    {
        await EnableSampleAsync();
        var client = new PythonRcarClient(_base!);
        await client.StepAsync("auth");
        Assert.Equal(200, (int)(await client.StepAsync("attest"))["status"]!);
        await client.StepAsync("auth");

        AssertError(await client.StepAsync("attest", "--replay"), 401, "AttestationError");
    }

    [Fact]
    public async Task Python_ExpiredSession_AttestationError()
    {
        await EnableSampleAsync();
        var client = new PythonRcarClient(_base!);
        await client.StepAsync("auth");
        _time.Advance(TimeSpan.FromMinutes(6));

        AssertError(await client.StepAsync("attest"), 401, "AttestationError");
    }

    [Fact]
    public async Task Python_DeniedPath_PolicyDeny()
    {
        await EnableSampleAsync();
        var client = new PythonRcarClient(_base!);
        await client.StepAsync("auth");
        await client.StepAsync("attest");

        AssertError(await client.StepAsync("resource", "default/key/denied"), 401, "PolicyDeny");
    }

    [Fact]
    public async Task Python_DefaultPolicy_DeniesSample()
    {
        await SetResourceAsync("default/key/1");
        var client = new PythonRcarClient(_base!);
        await client.StepAsync("auth");
        await client.StepAsync("attest");

        AssertError(await client.StepAsync("resource", "default/key/1"), 401, "PolicyDeny");
    }

    [Fact]
    public async Task Python_VersionMismatch_AttestationError()
    {
        var client = new PythonRcarClient(_base!);

        AssertError(await client.StepAsync("auth", "--version", "0.1.1"), 401, "AttestationError");
    }

    [Fact]
    public async Task Python_InvalidPath_InvalidRequestPath()
    {
        var client = new PythonRcarClient(_base!);
        await client.StepAsync("auth");

        AssertError(await client.StepAsync("resource", "default/key"), 404, "InvalidRequestPath");
    }
}
