using System.Net;
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
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // Connect and handshake with blocking calls, on a thread of their own: an asynchronous operation would
            // switch the socket to non-blocking for good, and the connection is read and written in blocking mode
            // (TtrpcClientOptions.BlockingReceiveThread: one thread wake-up per frame, as in socat's poll loop).
            return await Task.Factory.StartNew(() => Connect(linked.Token), linked.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is SocketException or AuthenticationException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The caller gave up: the socket was shut down under the blocking connect or handshake.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or AuthenticationException or IOException or ObjectDisposedException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"cannot reach the forwarder of {_instanceName} at {Address}: {(ex is OperationCanceledException ? "timed out" : ex.Message)}"));
        }
    }

    private TtrpcClient Connect(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            var endPoint = IPAddress.TryParse(_host, out var ip) ? new IPEndPoint(ip, _port) : (EndPoint)new DnsEndPoint(_host, _port);
            TtrpcClient.ConnectBlocking(socket, endPoint, cancellationToken);
            var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            try
            {
                // The deadline aborts a handshake that hangs by closing the socket under it.
                using var abort = cancellationToken.UnsafeRegister(static state => TtrpcClient.Abort((Socket)state!), socket);
                ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
                {
                    TargetHost = _instanceName,
                    EnabledSslProtocols = SslProtocols.Tls13,
                    ClientCertificates = [_ca.ClientCertificate],
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                        certificate is not null && _ca.ValidateServerCertificate(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), _instanceName),
                });
                cancellationToken.ThrowIfCancellationRequested();
            }
            catch
            {
                ssl.Dispose();
                throw;
            }

            // The proxy's continuation after a relayed call only queues the answer to the shim: resume it on the
            // receiving thread; the shim's request is written to the forwarder on the thread that received it; and
            // the connection has a receive thread of its own with blocking reads.
            return new TtrpcClient(ssl, socket, new TtrpcClientOptions { TimeProvider = _time, ResumeOnReceivePump = true, WriteOnSenderThread = true, BlockingReceiveThread = true });
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
