using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace PodVm.Attester.Cdh;

/// <summary>
/// A small HTTP/1.1 server on a socket for the CDH endpoint: one request per connection (Connection: close),
/// request heads bounded to 8 KiB and 10 s, at most <c>maxConnections</c> served at once (others wait in the
/// backlog). One log line per request: method, path (no query), status, size.
/// </summary>
internal sealed class CdhServer : IAsyncDisposable
{
    public static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(120);

    private readonly Socket _listener;
    private readonly CdhRequestHandler _handler;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private Task? _acceptLoop;

    public CdhServer(IPEndPoint endpoint, CdhRequestHandler handler, int maxConnections, TimeProvider time, ILogger logger)
    {
        _handler = handler;
        _logger = logger;
        _time = time;
        _slots = new SemaphoreSlim(maxConnections, maxConnections);
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Bind(endpoint);
            _listener.Listen(64);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start() => _acceptLoop = AcceptLoopAsync(_stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
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
        _slots.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Socket client;
            try
            {
                client = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                _slots.Release();
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                AttesterLog.AcceptFailed(_logger, ex.Message);
                continue;
            }

            var task = ServeAsync(client, cancellationToken);
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stopping)
    {
        await Task.Yield();
        var started = Stopwatch.GetTimestamp();
        try
        {
            using (client)
            await using (var stream = new NetworkStream(client, ownsSocket: false))
            {
                HttpRequestHead? head;
                CdhResponse response;
                using (var headDeadline = new CancellationTokenSource(HeadTimeout, _time))
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, headDeadline.Token))
                {
                    (head, response) = await ReadHeadAsync(stream, linked.Token).ConfigureAwait(false);
                }

                if (head is not null)
                {
                    using var requestDeadline = new CancellationTokenSource(RequestTimeout, _time);
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, requestDeadline.Token);
                    response = await _handler.HandleAsync(head, linked.Token).ConfigureAwait(false);
                }

                try
                {
                    await stream.WriteAsync(response.EncodeHead(), stopping).ConfigureAwait(false);
                    await stream.WriteAsync(response.Body, stopping).ConfigureAwait(false);
                    client.Shutdown(SocketShutdown.Send);
                }
                finally
                {
                    if (response.IsSecret)
                    {
                        CryptographicOperations.ZeroMemory(response.Body);
                    }
                }

                var path = head?.Target is { } target ? target.Split('?', 2)[0] : "-";
                AttesterLog.Request(_logger, head?.Method ?? "-", path.Length > 200 ? path[..200] : path, response.Status, response.Body.Length, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await DrainAsync(stream, stopping).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, or the server is stopping.
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// Lingering close: reads what the client still sends (up to 64 KiB, 1 s) so closing with unread data does not
    /// reset the connection before the client has read the answer.
    /// </summary>
    private async Task DrainAsync(NetworkStream stream, CancellationToken stopping)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, deadline.Token);
        var buffer = new byte[4096];
        var total = 0;
        try
        {
            int read;
            while (total < 64 * 1024 && (read = await stream.ReadAsync(buffer, linked.Token).ConfigureAwait(false)) > 0)
            {
                total += read;
            }
        }
        catch (OperationCanceledException)
        {
            // The client kept the connection open; close it now.
        }
    }

    private static async Task<(HttpRequestHead? Head, CdhResponse Response)> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[HttpRequestParser.MaxHeadBytes];
        var length = 0;
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (null, CdhResponse.Error(400, "the request ended before its head was complete"));
                }

                length += read;
                switch (HttpRequestParser.TryParse(buffer.AsSpan(0, length), out var head, out var error))
                {
                    case HttpParseStatus.Complete:
                        return (head, CdhResponse.Error(500, "unreachable"));
                    case HttpParseStatus.Invalid:
                        return (null, CdhResponse.Error(400, error ?? "bad request"));
                    case HttpParseStatus.TooLarge:
                        return (null, CdhResponse.Error(431, error ?? "request head too large"));
                    default:
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return (null, CdhResponse.Error(408, $"the request head did not arrive within {HeadTimeout.TotalSeconds:0} s"));
        }
    }
}
