using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.ReferenceValues;
using PodVm.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

public sealed class KbsAdminTests
{
    [Fact]
    public async Task SetResource_WithoutToken_AdminAuthError()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var http = new HttpClient { BaseAddress = host.BaseUri };

        var response = await http.PostAsync("/kbs/v0/resource/default/key/1", new ByteArrayContent("x"u8.ToArray())).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(KbsError.TypePrefix + "AdminAuthAccess", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["type"]);
    }

    [Fact]
    public async Task SetResource_TokenFromOtherKey_AdminAuthError()
    {
        await using var host = await KbsTestHost.StartAsync();
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var response = await KbsAdminClient.PostAsync(host, "/kbs/v0/resource/default/key/1", new ByteArrayContent("x"u8.ToArray()), AdminAuthenticator.CreateToken(stranger, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task SetResource_ExpiredToken_AdminAuthError()
    {
        await using var host = await KbsTestHost.StartAsync();

        var response = await KbsAdminClient.PostAsync(host, "/kbs/v0/resource/default/key/1", new ByteArrayContent("x"u8.ToArray()), AdminAuthenticator.CreateToken(host.AdminKey, DateTimeOffset.UtcNow.AddHours(-2), TimeSpan.FromMinutes(1)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task SetResource_Admin_PersistsAcrossRestart()
    {
        var dir = Directory.CreateTempSubdirectory("podvm-kbs-restart").FullName;
        using var admin = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using (var first = await KbsTestHost.StartAsync(directory: dir, adminKey: admin))
        {
            await KbsAdminClient.EnableSampleAsync(first, secret: "persisted");
        }

        await using var second = await KbsTestHost.StartAsync(directory: dir, adminKey: admin);
        using var http = second.CreateClient();
        var client = RcarTestClient.WithEcKey(http);
        await client.AuthAsync();
        await client.AttestAsync(client.SampleAttestation());
        var resource = await client.GetResourceAsync("default/key/1");

        Assert.Equal("persisted", await client.DecryptAsync(resource));
    }

    [Fact]
    public async Task RegisterReferenceValue_SignedBundleFromConfiguredSigner_Stored()
    {
        var dir = Directory.CreateTempSubdirectory("podvm-kbs-rv").FullName;
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var signerPem = Path.Combine(dir, "rv-signer.pem");
        await File.WriteAllTextAsync(signerPem, signer.ExportSubjectPublicKeyInfoPem());
        await using var host = await KbsTestHost.StartAsync(directory: dir, extraArgs: ["--Kbs:ReferenceValueSigners:0:KeyId=image-build", $"--Kbs:ReferenceValueSigners:0:PublicKeyFile={signerPem}"]);
        var now = DateTimeOffset.UtcNow;
        var bundle = PodVmReferenceBundle.Sign(
            [new ReferenceValue { Name = "snp_launch_measurement", Values = [JsonValue.Create("abcd")!], Expiration = now.AddDays(30) }],
            signer, "image-build", "test", now, now.AddDays(7));
        var message = new JsonObject { ["version"] = "0.1.0", ["type"] = "cose", ["payload"] = Convert.ToBase64String(bundle) };

        var response = await KbsAdminClient.PostAsync(host, "/kbs/v0/reference-value", RcarTestClient.Json(message));
        await KbsAdminClient.EnsureOk(response);
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        using var query = new HttpRequestMessage(HttpMethod.Get, "/kbs/v0/reference-value/snp_launch_measurement");
        query.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminToken());
        var stored = JsonNode.Parse(await (await http.SendAsync(query).DefaultTimeout()).Content.ReadAsStringAsync())!;

        Assert.Equal("abcd", (string?)stored["snp_launch_measurement"]!["value"]![0]);
    }

    [Fact]
    public async Task RegisterReferenceValue_TamperedBundle_RvpsError()
    {
        var dir = Directory.CreateTempSubdirectory("podvm-kbs-rv").FullName;
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signerPem = Path.Combine(dir, "rv-signer.pem");
        await File.WriteAllTextAsync(signerPem, signer.ExportSubjectPublicKeyInfoPem());
        await using var host = await KbsTestHost.StartAsync(directory: dir, extraArgs: ["--Kbs:ReferenceValueSigners:0:KeyId=k", $"--Kbs:ReferenceValueSigners:0:PublicKeyFile={signerPem}"]);
        var now = DateTimeOffset.UtcNow;
        var bundle = PodVmReferenceBundle.Sign([new ReferenceValue { Name = "x", Values = [JsonValue.Create("abcd")!], Expiration = now.AddDays(1) }], signer, "k", "t", now, now.AddDays(1));
        bundle[bundle.AsSpan().IndexOf("abcd"u8)] = (byte)'f';

        var response = await KbsAdminClient.PostAsync(host, "/kbs/v0/reference-value", RcarTestClient.Json(new JsonObject { ["version"] = "0.1.0", ["type"] = "cose", ["payload"] = Convert.ToBase64String(bundle) }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(KbsError.TypePrefix + "RvpsError", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["type"]);
    }

    [Fact]
    public async Task SetAttestationPolicy_InvalidDocument_ParsePolicyError()
    {
        await using var host = await KbsTestHost.StartAsync();

        var response = await KbsAdminClient.PostAsync(host, "/kbs/v0/attestation-policy", RcarTestClient.Json(new JsonObject
        {
            ["policy_id"] = "default",
            ["policy"] = Base64UrlText.Encode("""{"version":"9"}"""u8),
        }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("ParsePolicyError", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InvalidOptions_FailsNamingTheSetting()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => KbsTestHost.StartAsync(extraArgs: ["--Kbs:SessionKey=not-base64!", "--Kbs:TokenSigningKeyFile=/nonexistent.pem"]));

        Assert.Contains("Kbs:SessionKey", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Kbs:TokenSigningKeyFile", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redacted_Secrets_AreMasked()
    {
        var options = new KbsOptions { SessionKey = Convert.ToBase64String(new byte[32]), GrpcToken = "secret-token" };

        var redacted = options.Redacted().ToString();

        Assert.DoesNotContain("secret-token", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(new byte[32]), redacted, StringComparison.Ordinal);
    }
}
