using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using PodVm.Protocols.Ttrpc;

namespace PodVm.AgentProtocolForwarder.Forwarding;

/// <summary>
/// Accepts TLS 1.3 connections that present a client certificate issued by the configured CA, and relays every
/// ttrpc call on them to the guest agent unchanged (payload, status, metadata and timeout pass through without
/// being decoded). Each accepted connection has its own agent connection, so one that dies mid-call affects no other.
/// </summary>
internal sealed class AgentForwarder(ForwarderOptions options, TlsMaterial? tls, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(ForwarderLog.Category);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private TcpListener? _listener;
    private Task? _acceptLoop;

    /// <summary>The bound endpoint (the port is real when 0 was asked for).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndpoint as IPEndPoint;

    /// <summary>Listens and accepts; the caller reports the endpoint (<see cref="LocalEndPoint"/>).</summary>
    public void Start()
    {
        var endpoint = IPEndPoint.Parse(options.Listen);
        _listener = new TcpListener(endpoint);
        _listener.Start(512);
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Task[] pending;
        lock (_connections)
        {
            pending = [.. _connections];
        }

        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            socket.NoDelay = true;
            var task = ServeAsync(socket, cancellationToken);
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var peer = socket.RemoteEndPoint?.ToString() ?? "?";
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                handshake.CancelAfter(options.HandshakeTimeout);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = tls.ServerContext,
                    ClientCertificateRequired = true,
                    EnabledSslProtocols = SslProtocols.Tls13,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                        certificate is X509Certificate2 c && tls.IsTrustedClient(c, chain?.ChainPolicy.ExtraStore),
                }, handshake.Token).ConfigureAwait(false);
            }

            await using var agent = await ConnectAgentAsync(peer, cancellationToken).ConfigureAwait(false);
            await using var server = new TtrpcServer(new TtrpcServerOptions { WriteOnSenderThread = true }, loggerFactory)
            {
                Fallback = (request, ct) => RelayAsync(agent, request, ct),
            };
            await server.HandleConnectionAsync(stream, peer, cancellationToken).ConfigureAwait(false);
            ForwarderLog.Closed(_logger, peer);
        }
        catch (AuthenticationException ex)
        {
            ForwarderLog.Refused(_logger, peer, ex.Message);
        }
        catch (OperationCanceledException)
        {
            ForwarderLog.Refused(_logger, peer, "handshake timed out or the forwarder is stopping");
        }
        catch (IOException ex)
        {
            ForwarderLog.Refused(_logger, peer, ex.Message);
        }
        catch (RpcException ex)
        {
            ForwarderLog.AgentUnavailable(_logger, peer, ex.Status.Detail);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<TtrpcClient> ConnectAgentAsync(string peer, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + options.AgentDialTimeout;
        var endpoint = TtrpcEndpoint.Unix(options.KataAgentSocket);
        while (true)
        {
            try
            {
                return await TtrpcClient.ConnectAsync(endpoint, new TtrpcClientOptions { LoggerFactory = loggerFactory, ResumeOnReceivePump = true, WriteOnSenderThread = true }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or IOException or RpcException && DateTime.UtcNow < deadline)
            {
                ForwarderLog.AgentUnavailable(_logger, peer, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async ValueTask<TtrpcRawResponse> RelayAsync(TtrpcClient agent, TtrpcRawRequest request, CancellationToken cancellationToken)
    {
        try
        {
            // Frame-level relay: the request and response bodies pass as they came; only stream ids are rewritten.
            return await agent.RelayAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            return TtrpcRawResponse.Error(ex.StatusCode, ex.Status.Detail);
        }
    }
}
