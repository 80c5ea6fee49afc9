using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using PodVm.CloudApiAdaptor.Tls;
using PodVm.Protocols.Ttrpc;

namespace PodVm.CloudApiAdaptor.Proxy;

/// <summary>
/// Holds the one mTLS ttrpc connection from the adaptor to a pod VM's forwarder, and makes a new one when it is
/// lost (forwarder restart, network blip). TLS 1.3 only; the server must present a certificate from the adaptor's
/// CA naming the instance, and we present the adaptor's client certificate.
/// </summary>
public sealed class ForwarderConnector : IAsyncDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly string _instanceName;
    private readonly ForwarderCertificateAuthority _ca;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private TtrpcClient? _client;
    private bool _disposed;

    public ForwarderConnector(string host, int port, string instanceName, ForwarderCertificateAuthority ca, TimeProvider time)
    {
        _host = host;
        _port = port;
        _instanceName = instanceName;
        _ca = ca;
        _time = time;
    }

    public string Address => $"{_host}:{_port}";

    /// <summary>The current connection, or a new one. Throws <see cref="RpcException"/> (Unavailable) when the VM cannot be reached.</summary>
    public async ValueTask<TtrpcClient> GetClientAsync(CancellationToken cancellationToken)
    {
        var current = _client;
        if (current is { IsConnected: true })
        {
            return current;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_client is { IsConnected: true } raced)
            {
                return raced;
            }

            if (_client is not null)
            {
                await _client.DisposeAsync().ConfigureAwait(false);
                _client = null;
            }

            _client = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            return _client;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>Drops the connection if it is still <paramref name="broken"/>, so the next call reconnects.</summary>
    public async ValueTask InvalidateAsync(TtrpcClient broken)
    {
        await _connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (ReferenceEquals(_client, broken))
            {
                _client = null;
                await broken.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_client is not null)
            {
                await _client.DisposeAsync().ConfigureAwait(false);
                _client = null;
            }
        }
        finally
        {
            _connectLock.Release();
        }

        _connectLock.Dispose();
    }

    private async Task<TtrpcClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            await socket.ConnectAsync(_host, _port, linked.Token).ConfigureAwait(false);
            var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = _instanceName,
                        EnabledSslProtocols = SslProtocols.Tls13,
                        ClientCertificates = [_ca.ClientCertificate],
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                        RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                            certificate is not null && _ca.ValidateServerCertificate(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), _instanceName),
                    },
                    linked.Token).ConfigureAwait(false);
            }
            catch
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            // The proxy's continuation after a relayed call only queues the answer to the shim: resume it inline; and
            // the shim's request is written to the forwarder on the thread that received it.
            return new TtrpcClient(ssl, new TtrpcClientOptions { TimeProvider = _time, ResumeOnReceivePump = true, WriteOnSenderThread = true });
        }
        catch (Exception ex) when (ex is SocketException or AuthenticationException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            socket.Dispose();
            throw new RpcException(new Status(StatusCode.Unavailable, $"cannot reach the forwarder of {_instanceName} at {Address}: {ex.Message}"));
        }
    }
}
