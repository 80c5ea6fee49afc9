using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PodVm.Attester.Configuration;

namespace PodVm.Attester.Tests.Integration;

/// <summary>The KBS found through the initdata files (cdh.toml, aa.toml), over http and https with kbs_cert, against the real KBS.</summary>
public sealed class AttesterKbsConfigFileTests
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(48);

    private static AttesterOptions FileOptions(AttestedKbsFixture kbs, string sideChannel, string? cdh = null, string? aa = null) => new()
    {
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        Tee = TeeSelection.LocalDev,
        SideChannelPath = sideChannel,
        CdhConfigPath = cdh is null ? kbs.Directory.Combine("no-cdh.toml") : kbs.Directory.File("cdh.toml", cdh),
        AaConfigPath = aa is null ? kbs.Directory.Combine("no-aa.toml") : kbs.Directory.File("aa.toml", aa),
        InitDataPath = kbs.Directory.Combine("no-initdata"),
    };

    private static string CdhToml(Uri url, string? pem) => $"""
        socket = "unix:///run/confidential-containers/cdh.sock"

        [kbc]
        name = "cc_kbc"
        url = "{url.GetLeftPart(UriPartial.Authority)}"
        {(pem is null ? "" : "kbs_cert = \"\"\"\n" + pem + "\"\"\"")}
        """;

    private static async Task<(int Status, byte[] Body)> GetAsync(AttesterHost attester, string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{attester.LocalEndPoint}"), Timeout = TaskTimeoutExtensions.Default };
        using var response = await http.GetAsync(path).DefaultTimeout();
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync().DefaultTimeout());
    }

    private static async Task<AttestedKbsFixture> StartHttpsKbsAsync(X509Certificate2 certificate)
    {
        var dir = Directory.CreateTempSubdirectory("podvm-attester-tls").FullName;
        var certFile = Path.Combine(dir, "kbs.crt");
        var keyFile = Path.Combine(dir, "kbs.key");
        await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem());
        using (var key = certificate.GetECDsaPrivateKey()!)
        {
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());
        }

        try
        {
            return await AttestedKbsFixture.StartAsync("--Kbs:Urls:0=https://127.0.0.1:0", $"--Kbs:TlsCertificateFile={certFile}", $"--Kbs:TlsPrivateKeyFile={keyFile}");
        }
        finally
        {
            // Kestrel has loaded the certificate once the host has started.
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task GetResource_HttpsKbsFromCdhTomlWithItsCertificate_ReturnsTheSecret()
    {
        using var certificate = TestCertificates.SelfSigned("kbs.test");
        await using var kbs = await StartHttpsKbsAsync(certificate);
        Assert.Equal("https", kbs.KbsUri.Scheme);
        await kbs.Resources.SetResourceAsync("default/key/1", Secret, CancellationToken.None);
        await using var provider = kbs.StartLocalProvider();
        await using var attester = AttesterHost.Start(FileOptions(kbs, provider.SocketPath, cdh: CdhToml(kbs.KbsUri, certificate.ExportCertificatePem())), LoggerFactory.Create(_ => { }), TimeProvider.System);

        var (status, body) = await GetAsync(attester, "/cdh/resource/default/key/1");

        Assert.Equal(200, status);
        Assert.Equal(Secret, body);
    }

    [Fact]
    public async Task GetResource_HttpsKbsWithAnotherKbsCert_Answers502CertificateNotTrusted()
    {
        using var certificate = TestCertificates.SelfSigned("kbs.test");
        using var other = TestCertificates.SelfSigned("kbs.test");
        await using var kbs = await StartHttpsKbsAsync(certificate);
        await using var provider = kbs.StartLocalProvider();
        await using var attester = AttesterHost.Start(FileOptions(kbs, provider.SocketPath, cdh: CdhToml(kbs.KbsUri, other.ExportCertificatePem())), LoggerFactory.Create(_ => { }), TimeProvider.System);

        var (status, body) = await GetAsync(attester, "/cdh/resource/default/key/1");

        Assert.Equal(502, status);
        Assert.Contains("kbs_cert", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        Assert.Empty(provider.Requests);
    }

    [Fact]
    public async Task GetResource_KbsOnlyInAaToml_ReturnsTheSecret()
    {
        await using var kbs = await AttestedKbsFixture.StartAsync();
        await kbs.Resources.SetResourceAsync("default/key/1", Secret, CancellationToken.None);
        await using var provider = kbs.StartLocalProvider();
        var aa = $"[token_configs]\n[token_configs.kbs]\nurl = \"{kbs.KbsUri.GetLeftPart(UriPartial.Authority)}\"\n";
        await using var attester = AttesterHost.Start(FileOptions(kbs, provider.SocketPath, aa: aa), LoggerFactory.Create(_ => { }), TimeProvider.System);

        var (status, body) = await GetAsync(attester, "/cdh/resource/default/key/1");

        Assert.Equal(200, status);
        Assert.Equal(Secret, body);
    }

    [Fact]
    public async Task GetResource_CdhTomlNotToml_Answers503NamingTheFile()
    {
        await using var kbs = await AttestedKbsFixture.StartAsync();
        await using var provider = kbs.StartLocalProvider();
        await using var attester = AttesterHost.Start(FileOptions(kbs, provider.SocketPath, cdh: "[kbc\nurl = "), LoggerFactory.Create(_ => { }), TimeProvider.System);

        var (status, body) = await GetAsync(attester, "/cdh/resource/default/key/1");

        Assert.Equal(503, status);
        Assert.Contains("cdh.toml", Encoding.UTF8.GetString(body));
    }
}
