using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using PodVm.AgentProtocolForwarder.Forwarding;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Ttrpc;

namespace PodVm.AgentProtocolForwarder.Tests;

public sealed class AgentForwarderTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("podvm-fwd-").FullName;
    private TtrpcServer? _agent;
    private AgentForwarder? _forwarder;
    private X509Certificate2? _ca;
    private X509Certificate2? _otherCa;

    public async ValueTask InitializeAsync()
    {
        var socket = Path.Combine(_dir, "agent.sock");
        _agent = new TtrpcServer(new TtrpcServerOptions(), NullLoggerFactory.Instance);
        Health.BindService(_agent.Services, new FakeHealth());
        await _agent.StartAsync(TtrpcEndpoint.Unix(socket), CancellationToken.None).DefaultTimeout();

        _ca = MakeCa("podvm-test-ca");
        _otherCa = MakeCa("someone-else");
        using var server = Issue(_ca, "podvm-server", serverAuth: true);
        var tls = new TlsMaterial(X509CertificateLoader.LoadPkcs12(server.Export(X509ContentType.Pkcs12), null), [X509CertificateLoader.LoadCertificate(_ca.RawData)]);
        _forwarder = new AgentForwarder(new ForwarderOptions { Listen = "127.0.0.1:0", KataAgentSocket = socket, AgentDialTimeout = TimeSpan.FromSeconds(2) }, tls, NullLoggerFactory.Instance);
        _forwarder.Start();
    }

    public async ValueTask DisposeAsync()
    {
        if (_forwarder is not null)
        {
            await _forwarder.DisposeAsync();
        }

        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        _ca?.Dispose();
        _otherCa?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Relay_ClientFromConfiguredCa_CallReachesAgent()
    {
        using var cert = Issue(_ca!, "cloud-api-adaptor", serverAuth: false);
        await using var client = await ConnectAsync(cert);

        var reply = await new Health.HealthClient(client.CreateCallInvoker()).CheckAsync(new CheckRequest()).ResponseAsync.DefaultTimeout();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Relay_UnknownMethod_StatusPassesThrough()
    {
        using var cert = Issue(_ca!, "cloud-api-adaptor", serverAuth: false);
        await using var client = await ConnectAsync(cert);

        var reply = await client.CallRawAsync("grpc.AgentService", "ExecProcess", new byte[] { 1, 2, 3 }, null, CancellationToken.None).DefaultTimeout();

        Assert.Equal(StatusCode.Unimplemented, reply.Code);
    }

    [Fact]
    public async Task Relay_ClientFromOtherCa_Refused()
    {
        using var cert = Issue(_otherCa!, "intruder", serverAuth: false);

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var client = await ConnectAsync(cert);
            await new Health.HealthClient(client.CreateCallInvoker()).CheckAsync(new CheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5)).ResponseAsync;
        }).DefaultTimeout();
    }

    [Fact]
    public async Task Relay_ManyConnectionsOneDies_OthersUnaffected()
    {
        using var cert = Issue(_ca!, "cloud-api-adaptor", serverAuth: false);
        var clients = new List<TtrpcClient>();
        for (var i = 0; i < 8; i++)
        {
            clients.Add(await ConnectAsync(cert));
        }

        var slow = new Health.HealthClient(clients[0].CreateCallInvoker()).VersionAsync(new CheckRequest { Service = "slow" }).ResponseAsync;
        await clients[0].DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => slow).DefaultTimeout();

        var replies = await Task.WhenAll(clients.Skip(1).Select(c => new Health.HealthClient(c.CreateCallInvoker()).CheckAsync(new CheckRequest()).ResponseAsync)).DefaultTimeout();

        Assert.All(replies, r => Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, r.Status));
        foreach (var c in clients.Skip(1))
        {
            await c.DisposeAsync();
        }
    }

    private async Task<TtrpcClient> ConnectAsync(X509Certificate2 clientCert)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(_forwarder!.LocalEndPoint!).DefaultTimeout();
        var ssl = new SslStream(tcp.GetStream(), false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "podvm-server",
            ClientCertificates = [clientCert],
            EnabledSslProtocols = SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.Issuer == _ca!.Subject,
        }).DefaultTimeout();
        return new TtrpcClient(ssl);
    }

    private static X509Certificate2 MakeCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string name, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(name);
            req.CertificateExtensions.Add(san.Build());
        }

        using var cert = req.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), RandomNumberGenerator.GetBytes(8));
        using var withKey = cert.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private sealed class FakeHealth : Health.HealthBase
    {
        public override Task<HealthCheckResponse> Check(CheckRequest request, ServerCallContext context) =>
            Task.FromResult(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving });

        public override async Task<VersionCheckResponse> Version(CheckRequest request, ServerCallContext context)
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new VersionCheckResponse();
        }
    }
}
