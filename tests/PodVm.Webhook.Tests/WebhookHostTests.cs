using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using static PodVm.Webhook.Tests.Reviews;

namespace PodVm.Webhook.Tests;

public sealed class WebhookHostTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("podvm-webhook-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (string Cert, string Key, X509Certificate2 Certificate) WriteCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=podvm-webhook.podvm-system.svc", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("podvm-webhook.podvm-system.svc");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(_dir, "tls.crt");
        var keyPath = Path.Combine(_dir, "tls.key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath, certificate);
    }

    [Fact]
    public async Task MutateOverHttps_KataRemotePod_ReturnsJsonPatch()
    {
        var (cert, key, certificate) = WriteCertificate();
        await using var host = WebhookHost.Create(new WebhookOptions { ListenAddress = "127.0.0.1", Port = 0, CertificatePath = cert, KeyPath = key });
        await host.StartAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        X509Certificate2? served = null;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) =>
                {
                    served = presented is null ? null : new X509Certificate2(presented);
                    return presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
                },
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = host.Address };
        Assert.Equal("https", host.Address.Scheme);

        var pod = Pod("kata-remote", [Container("a", requests: new { cpu = "2", memory = "4Gi" })]);
        using var content = new StringContent(Review(pod).ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(WebhookHost.MutatePath, content, TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var review = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var mutated = JsonPatch.Apply(pod, (string)review["response"]!["patch"]!);
        Assert.Equal("2", (string?)mutated["metadata"]!["annotations"]!["io.katacontainers.config.hypervisor.default_vcpus"]);
        Assert.Equal("4096", (string?)mutated["metadata"]!["annotations"]!["io.katacontainers.config.hypervisor.default_memory"]);
        Assert.NotNull(served);
        Assert.Equal("ok", await client.GetStringAsync("/healthz", TestContext.Current.CancellationToken).DefaultTimeout());
        Assert.Equal("ok", await client.GetStringAsync("/readyz", TestContext.Current.CancellationToken).DefaultTimeout());

        using var garbage = new StringContent("{not json", Encoding.UTF8, "application/json");
        using var bad = await client.PostAsync(WebhookHost.MutatePath, garbage, TestContext.Current.CancellationToken).DefaultTimeout();
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public void Create_MissingCertificate_ThrowsNamingTheSetting()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            WebhookHost.Create(new WebhookOptions { CertificatePath = Path.Combine(_dir, "missing.crt"), KeyPath = Path.Combine(_dir, "missing.key") }));

        Assert.Contains("Webhook:CertificatePath", ex.Message, StringComparison.Ordinal);
    }
}
