using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using PodVm.CloudApiAdaptor.Tls;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Ttrpc;

namespace PodVm.CloudApiAdaptor.Tests.Fakes;

/// <summary>
/// Plays a pod VM's agent-protocol forwarder on 127.0.0.1: TLS 1.3, a server certificate from the adaptor's CA named
/// after whatever instance the client asks for (SNI), a client certificate chaining to that CA required, then ttrpc
/// served by a real <see cref="TtrpcServer"/> with grpc.Health and <see cref="TestAgent"/>.
/// </summary>
internal sealed class FakeForwarder : IAsyncDisposable
{
    private readonly ForwarderCertificateAuthority _ca;
    private readonly TcpListener _listener;
    private readonly TtrpcServer _server = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, X509Certificate2> _certificates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private readonly ConcurrentDictionary<Socket, bool> _sockets = new();
    private readonly Task _accepting;
    private int _handshakes;
    private int _rejected;
    private int _healthChecks;

    public FakeForwarder(ForwarderCertificateAuthority ca)
    {
        _ca = ca;
        Health.BindService(_server.Services, new TestHealth(this));
        AgentService.BindService(_server.Services, Agent);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public TestAgent Agent { get; } = new();

    /// <summary>When set, connections are accepted and then ignored: a VM whose forwarder never answers.</summary>
    public bool Silent { get; set; }

    public int Handshakes => Volatile.Read(ref _handshakes);

    /// <summary>Cuts every connection served so far (a forwarder restart, as the adaptor sees it); new ones are served.</summary>
    public void DropConnections()
    {
        foreach (var socket in _sockets.Keys)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }
        }
    }

    public int RejectedClients => Volatile.Read(ref _rejected);

    public int HealthChecks => Volatile.Read(ref _healthChecks);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        await _server.DisposeAsync();
        await Task.WhenAll(_connections.Keys);
        foreach (var certificate in _certificates.Values)
        {
            certificate.Dispose();
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var task = ServeAsync(socket);
            _connections[task] = true;
            _ = task.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        if (Silent)
        {
            using (socket)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // The test is over.
                }
            }

            return;
        }

        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    EnabledSslProtocols = SslProtocols.Tls13,
                    ClientCertificateRequired = true,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    ServerCertificateSelectionCallback = (_, host) => CertificateFor(host ?? "unnamed"),
                    RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && ChainsToCa(certificate),
                },
                _stop.Token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            Interlocked.Increment(ref _rejected);
            await ssl.DisposeAsync();
            return;
        }

        Interlocked.Increment(ref _handshakes);
        _sockets[socket] = true;
        try
        {
            await _server.HandleConnectionAsync(ssl, socket.RemoteEndPoint?.ToString() ?? "peer", _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The adaptor hung up or the test is over.
        }
        finally
        {
            _sockets.TryRemove(socket, out _);
            await ssl.DisposeAsync();
        }
    }

    private X509Certificate2 CertificateFor(string instanceName) => _certificates.GetOrAdd(instanceName, name =>
    {
        var (certificatePem, keyPem) = _ca.IssueServerCertificate(name);
        using var ephemeral = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    });

    private bool ChainsToCa(X509Certificate certificate)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca.CaCertificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    private sealed class TestHealth(FakeForwarder owner) : Health.HealthBase
    {
        public override Task<HealthCheckResponse> Check(CheckRequest request, ServerCallContext context)
        {
            Interlocked.Increment(ref owner._healthChecks);
            return Task.FromResult(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving });
        }
    }
}
