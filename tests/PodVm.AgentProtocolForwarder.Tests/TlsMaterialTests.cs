using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PodVm.AgentProtocolForwarder.Forwarding;

namespace PodVm.AgentProtocolForwarder.Tests;

/// <summary>How the forwarder reads its certificate, key and client CA (PEM, as the adaptor writes them).</summary>
public sealed class TlsMaterialTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("podvm-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LoadServerCertificate_EcPkcs8Key_CertificateSignsWithItsKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = SelfSigned(key);

        using var loaded = TlsMaterial.LoadServerCertificate(issued.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());

        Assert.True(loaded.HasPrivateKey);
        using var privateKey = loaded.GetECDsaPrivateKey()!;
        var signature = privateKey.SignData("data"u8, HashAlgorithmName.SHA256);
        Assert.True(issued.GetECDsaPublicKey()!.VerifyData("data"u8, signature, HashAlgorithmName.SHA256));
    }

    [Fact]
    public void LoadServerCertificate_EcSec1Key_Loads()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var issued = SelfSigned(key);

        using var loaded = TlsMaterial.LoadServerCertificate(issued.ExportCertificatePem(), key.ExportECPrivateKeyPem());

        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(issued.Thumbprint, loaded.Thumbprint);
    }

    [Fact]
    public void LoadServerCertificate_RsaKey_Loads()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=podvm-rsa", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var issued = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        using var loaded = TlsMaterial.LoadServerCertificate(issued.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());

        Assert.True(loaded.HasPrivateKey);
        Assert.NotNull(loaded.GetRSAPrivateKey());
    }

    [Fact]
    public void LoadServerCertificate_KeyOfAnotherCertificate_Refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = SelfSigned(key);

        var error = Assert.ThrowsAny<Exception>(() => TlsMaterial.LoadServerCertificate(issued.ExportCertificatePem(), other.ExportPkcs8PrivateKeyPem()));

        Assert.True(error is ArgumentException or CryptographicException, error.GetType().Name);
    }

    [Fact]
    public void LoadServerCertificate_NoKeyInPem_Refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = SelfSigned(key);

        Assert.ThrowsAny<ArgumentException>(() => TlsMaterial.LoadServerCertificate(issued.ExportCertificatePem(), issued.ExportCertificatePem()));
    }

    [Fact]
    public void Load_Files_ServerCertificateAndClientCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var server = SelfSigned(key);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = SelfSigned(caKey, "CN=podvm-test-ca");
        var options = new ForwarderOptions
        {
            CertFile = Write("server.pem", server.ExportCertificatePem()),
            CertKey = Write("server.key", key.ExportPkcs8PrivateKeyPem()),
            CaCertFile = Write("ca.pem", ca.ExportCertificatePem()),
        };

        using var material = TlsMaterial.Load(options, config: null);

        Assert.True(material.ServerCertificate.HasPrivateKey);
        Assert.Equal(server.Thumbprint, material.ServerCertificate.Thumbprint);
        Assert.Equal(ca.Thumbprint, Assert.Single(material.ClientCa).Thumbprint);
    }

    [Fact]
    public async Task LoadServerCertificate_ServesATlsHandshake()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = SelfSigned(key);
        using var loaded = TlsMaterial.LoadServerCertificate(issued.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port).DefaultTimeout();
        using var accepted = await listener.AcceptTcpClientAsync().DefaultTimeout();
        await using var serverStream = new SslStream(accepted.GetStream());
        await using var clientStream = new SslStream(client.GetStream(), false, (_, certificate, _, _) => certificate?.GetCertHashString() == issued.GetCertHashString());

        await Task.WhenAll(
            serverStream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = loaded }),
            clientStream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "podvm" })).DefaultTimeout();

        Assert.True(clientStream.IsAuthenticated);
    }

    private static X509Certificate2 SelfSigned(ECDsa key, string subject = "CN=podvm-server")
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
