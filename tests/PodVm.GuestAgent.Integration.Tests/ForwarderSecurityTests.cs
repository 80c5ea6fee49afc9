using System.Buffers.Binary;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Ttrpc;
using static PodVm.GuestAgent.Integration.Tests.PodRequests;

namespace PodVm.GuestAgent.Integration.Tests;

/// <summary>What reaches the agent through the VM's forwarder port, and what does not.</summary>
public sealed class ForwarderSecurityTests(PodVmFixture vm)
{
    [Fact]
    public async Task Connect_ClientCertificateFromAnotherCa_Refused()
    {
        vm.Require();
        using var intruder = IssueFromOwnCa("cloud-api-adaptor");
        using var deadline = new CancellationTokenSource(Long);

        // TLS 1.3: the server checks the client certificate after the client has finished its side of the handshake,
        // so the refusal shows on the handshake or, at the latest, on the first read.
        var refused = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var ssl = await vm.ConnectTlsAsync(intruder, deadline.Token);
            await using var client = new TtrpcClient(ssl);
            await new Health.HealthClient(client.CreateCallInvoker()).CheckAsync(new CheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync;
        }).WithTimeout(Long);

        Assert.True(refused is AuthenticationException or IOException or RpcException { StatusCode: StatusCode.Unavailable or StatusCode.Internal or StatusCode.DeadlineExceeded or StatusCode.Cancelled },
            $"unexpected refusal: {refused}");
        var health = await vm.Health.CheckAsync(new CheckRequest()).ResponseAsync.WithTimeout(Long);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task CallRaw_MalformedPayloadAndUnknownMethod_ErrorsAndAgentKeepsServing()
    {
        var client = vm.Require();

        var garbage = await client.CallRawAsync("grpc.AgentService", "CreateContainer", new byte[] { 0x0a, 0xff, 0xff, 0xff, 0x01 }, null, CancellationToken.None).WithTimeout(Long);
        var unknown = await client.CallRawAsync("grpc.AgentService", "NoSuchMethod", Array.Empty<byte>(), null, CancellationToken.None).WithTimeout(Long);

        Assert.False(garbage.IsSuccess);
        Assert.Equal(StatusCode.Unimplemented, unknown.Code);
        var health = await vm.Health.CheckAsync(new CheckRequest()).ResponseAsync.WithTimeout(Long);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task RawFrame_GarbageBody_ErrorOrCloseAndAgentKeepsServing()
    {
        vm.Require();
        using var deadline = new CancellationTokenSource(Long);
        await using (var ssl = await vm.ConnectTlsAsync(vm.Ca!.ClientCertificate, deadline.Token))
        {
            // A request frame (type 1) whose body is not a ttrpc Request message.
            var body = RandomNumberGenerator.GetBytes(40);
            body[0] = 0xff;
            var frame = new byte[10 + body.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), 1);
            frame[8] = 1;
            body.CopyTo(frame, 10);
            await ssl.WriteAsync(frame, deadline.Token);
            await ssl.FlushAsync(deadline.Token);

            // Either an error response for stream 1 or the connection closed: never a hang, never success.
            var header = new byte[10];
            var read = await ReadFullyAsync(ssl, header, deadline.Token);
            if (read == header.Length)
            {
                Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)));
                Assert.Equal(2, header[8]);
            }
        }

        var health = await vm.Health.CheckAsync(new CheckRequest()).ResponseAsync.WithTimeout(Long);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        var version = await vm.Health.VersionAsync(new CheckRequest()).ResponseAsync.WithTimeout(Long);
        Assert.False(string.IsNullOrEmpty(version.AgentVersion));
    }

    private static async Task<int> ReadFullyAsync(SslStream ssl, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        try
        {
            while (total < buffer.Length)
            {
                var n = await ssl.ReadAsync(buffer.AsMemory(total), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }
        }
        catch (IOException)
        {
            // Closed by the forwarder: an acceptable answer to garbage.
        }

        return total;
    }

    private static X509Certificate2 IssueFromOwnCa(string name)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=someone-else-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), RandomNumberGenerator.GetBytes(8));
        using var withKey = cert.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
