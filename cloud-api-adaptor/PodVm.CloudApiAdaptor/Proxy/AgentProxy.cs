using Grpc.Core;
using Microsoft.Extensions.Logging;
using PodVm.CloudApiAdaptor.Observability;
using PodVm.Protocols.Ttrpc;

namespace PodVm.CloudApiAdaptor.Proxy;

/// <summary>
/// The per-pod agent endpoint the Kata shim dials (<c>&lt;pods-dir&gt;/&lt;id&gt;/agent.ttrpc</c>). Every call is relayed
/// to the VM's forwarder unchanged: payload, metadata, the caller's deadline, and the status that comes back
/// (code, message and details). It adds no timeout of its own, so long polls (WaitProcess, GetOOMEvent) wait as long
/// as the shim does. Calls that only read are retried once on a fresh connection when the forwarder connection drops.
/// </summary>
public sealed class AgentProxy : IAsyncDisposable
{
    private static readonly HashSet<string> RetrySafe = new(StringComparer.Ordinal)
    {
        "Check", "Version", "WaitProcess", "GetOOMEvent", "StatsContainer", "GetGuestDetails", "ListInterfaces", "ListRoutes", "GetMetrics",
    };

    private readonly string _sandboxId;
    private readonly string _socketPath;
    private readonly ForwarderConnector _forwarder;
    private readonly AdaptorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TtrpcServer _server;

    public AgentProxy(string sandboxId, string socketPath, ForwarderConnector forwarder, AdaptorMetrics metrics, ILoggerFactory loggerFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _sandboxId = sandboxId;
        _socketPath = socketPath;
        _forwarder = forwarder;
        _metrics = metrics;
        _logger = loggerFactory.CreateLogger<AgentProxy>();
        _server = new TtrpcServer(new TtrpcServerOptions { TimeProvider = time, WriteOnSenderThread = true, BlockingReceiveThreads = true, UnixSocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite }, loggerFactory)
        {
            Fallback = RelayAsync,
        };
    }

    public string SocketPath => _socketPath;

    public ForwarderConnector Forwarder => _forwarder;

    /// <summary>Listens on the pod's agent socket.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => _server.StartAsync(TtrpcEndpoint.Unix(_socketPath), cancellationToken);

    /// <summary>Waits until the agent answers grpc.Health/Check through the forwarder, retrying with back-off.</summary>
    public async Task WaitForAgentAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        string? last = null;
        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw DeadlinePassed(last);
            }

            try
            {
                var client = await _forwarder.GetClientAsync(cancellationToken).ConfigureAwait(false);
                var response = await client.CallRawAsync("grpc.Health", "Check", ReadOnlyMemory<byte>.Empty, new TtrpcCallOptions { Timeout = TimeSpan.FromSeconds(5) }, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccess)
                {
                    return;
                }

                last = $"{response.Code}: {response.Status?.Message}";
                if (response.Code == StatusCode.Unavailable)
                {
                    await _forwarder.InvalidateAsync(client).ConfigureAwait(false);
                }
            }
            catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
            {
                last = ex.Status.Detail;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw DeadlinePassed(last);
            }

            try
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw DeadlinePassed(last);
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
    }

    // The deadline running out is always a timeout (DeadlineExceeded), whichever await it interrupts.
    private AdaptorException DeadlinePassed(string? last) => new(AdaptorErrorReason.Timeout,
        $"sandbox {_sandboxId}: the pod VM's agent did not answer at {_forwarder.Address} before the deadline (last error: {last ?? "none"}); see the VM's console log");

    /// <summary>Stops accepting calls, lets calls in flight finish for up to <paramref name="drain"/>, then closes.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        using var patience = new CancellationTokenSource(drain);
        await _server.StopAsync(patience.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        await _forwarder.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask<TtrpcRawResponse> RelayAsync(TtrpcRawRequest request, CancellationToken cancellationToken)
    {
        var attempts = RetrySafe.Contains(request.Method) ? 2 : 1;
        TtrpcRawResponse response = TtrpcRawResponse.Error(StatusCode.Unavailable, TtrpcStatus.ClosedMessage);
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            TtrpcClient client;
            try
            {
                client = await _forwarder.GetClientAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex)
            {
                response = TtrpcRawResponse.Error(ex.StatusCode, ex.Status.Detail);
                continue;
            }

            // Frame-level relay: the request body goes out as the shim encoded it (deadline and metadata included)
            // and the forwarder's Response body comes back to the shim as it is; only stream ids are rewritten.
            response = await client.RelayAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.Code == StatusCode.Unavailable && !client.IsConnected)
            {
                AdaptorLog.ForwarderReconnect(_logger, _sandboxId, _forwarder.Address, response.Status?.Message ?? "closed");
                await _forwarder.InvalidateAsync(client).ConfigureAwait(false);
                continue;
            }

            break;
        }

        _metrics.ProxyCall(request.Method, response.Code, request.Payload.Length, response.Payload.Length);
        return response;
    }
}
