using System.Security.Authentication;
using Microsoft.Extensions.Logging.Abstractions;
using PodVm.Attester.Configuration;
using PodVm.Attester.Evidence;
using PodVm.Attester.Kbs;

namespace PodVm.Attester.Tests.Kbs;

public sealed class KbsCertificateValidatorTests
{
    private static async Task<string> GetAsync(Uri url, string pem)
    {
        using var http = new HttpClient(KbsClient.CreateHandler(new KbsEndpointConfig(url, pem, "test")));
        return await http.GetStringAsync(url).DefaultTimeout();
    }

    [Fact]
    public async Task Connect_KbsSelfSignedCertificateInKbsCert_IsTrusted()
    {
        using var cert = TestCertificates.SelfSigned("kbs.test");
        await using var server = new TlsTestServer(cert);

        Assert.Equal("ok", await GetAsync(server.Url, cert.ExportCertificatePem()));
    }

    [Fact]
    public async Task Connect_CaOfTheKbsCertificateInKbsCert_IsTrusted()
    {
        using var ca = TestCertificates.SelfSigned("kbs-ca.test", ca: true);
        using var leaf = TestCertificates.IssuedBy(ca, "kbs.test");
        await using var server = new TlsTestServer(leaf);

        Assert.Equal("ok", await GetAsync(server.Url, ca.ExportCertificatePem()));
    }

    [Fact]
    public async Task Connect_AnotherCertificateInKbsCert_IsRejected()
    {
        using var cert = TestCertificates.SelfSigned("kbs.test");
        using var other = TestCertificates.SelfSigned("kbs.test");
        await using var server = new TlsTestServer(cert);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(server.Url, other.ExportCertificatePem())).DefaultTimeout();

        Assert.IsType<AuthenticationException>(ex.InnerException);
    }

    [Fact]
    public async Task Connect_TrustedCertificateForAnotherName_IsRejected()
    {
        using var cert = TestCertificates.SelfSigned("elsewhere.test", dnsName: "elsewhere.test");
        await using var server = new TlsTestServer(cert);

        await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(server.Url, cert.ExportCertificatePem())).DefaultTimeout();
    }

    [Fact]
    public async Task GetResourceAsync_UntrustedKbsCertificate_IsCertificateRejected()
    {
        using var cert = TestCertificates.SelfSigned("kbs.test");
        using var other = TestCertificates.SelfSigned("kbs.test");
        await using var server = new TlsTestServer(cert);
        using var client = new KbsClient(new KbsEndpointConfig(server.Url, other.ExportCertificatePem(), "test"), new NoEvidence(), TimeProvider.System, NullLogger.Instance, null);

        var ex = await Assert.ThrowsAsync<KbsClientException>(() => client.GetResourceAsync("default/key/1", CancellationToken.None)).DefaultTimeout();

        Assert.Equal(KbsClientErrorKind.CertificateRejected, ex.Kind);
        Assert.Contains("kbs_cert", ex.Message);
    }

    private sealed class NoEvidence : IEvidenceProvider
    {
        public string Tee => "local-dev";

        public Task<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken) =>
            throw new EvidenceException(EvidenceErrorReason.Unavailable, "not used");
    }
}
