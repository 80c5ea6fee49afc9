using System.Collections.Concurrent;
using System.Net.Sockets;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// A ttrpc server. Bind generated services to <see cref="Services"/>, optionally set <see cref="Fallback"/> to relay
/// unknown calls, then <see cref="StartAsync"/> on a unix or TCP endpoint, or feed it already-accepted streams (TLS)
/// with <see cref="HandleConnectionAsync"/>. <see cref="StopAsync"/> stops accepting, refuses new calls, and lets
/// calls in flight finish until its token is cancelled.
/// </summary>
public sealed class TtrpcServer : IAsyncDisposable
{
    /// <summary>
    /// The log category, the type's full name as <c>CreateLogger&lt;TtrpcServer&gt;()</c> would give it. Spelled out: in a
    /// NativeAOT guest program that call reads the type's name through reflection metadata before the pod VM is
    /// ready, code QEMU TCG has to translate.
    /// </summary>
    public const string LogCategory = "PodVm.Protocols.Ttrpc.TtrpcServer";

    private readonly ILogger _logger;
    private readonly TtrpcServiceBinder _binder = new();
    private readonly ConcurrentDictionary<TtrpcServerConnection, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(Socket Socket, Task AcceptLoop, TtrpcEndpoint Endpoint)> _listeners = [];
    private int _inFlight;
    private int _stopRequested;

    public TtrpcServer(TtrpcServerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        Options = options ?? new TtrpcServerOptions();
        _logger = loggerFactory?.CreateLogger(LogCategory) ?? NullLogger.Instance;
    }

    public TtrpcServerOptions Options { get; }

    /// <summary>
    /// Pass this to a generated <c>BindService(ServiceBinderBase, impl)</c>; a NativeAOT program that starts under
    /// emulation binds with <see cref="TtrpcServiceRegistration"/> instead (see there why).
    /// </summary>
    public ServiceBinderBase Services => _binder;

    /// <summary>
    /// Handles unary calls for services and methods nobody bound; null = answer Unimplemented. It is meant for
    /// relays and runs on the connection's receive pump until its first await, so it must not block: queue the call
    /// onwards and await the answer.
    /// </summary>
    public TtrpcRawHandler? Fallback { get; set; }

    /// <summary>The endpoints actually bound (a TCP port 0 is replaced by the port the system chose).</summary>
    public IReadOnlyList<TtrpcEndpoint> BoundEndpoints => _listeners.Select(l => l.Endpoint).ToList();

    /// <summary>Calls currently being served on all connections.</summary>
    public int CallsInFlight => Volatile.Read(ref _inFlight);

    internal TtrpcServiceBinder Binder => _binder;

    internal bool IsStopping => Volatile.Read(ref _stopRequested) != 0;

    internal CancellationToken StoppingToken => _stopping.Token;

    public Task<TtrpcEndpoint> StartAsync(TtrpcEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(IsStopping, this);
        var socket = endpoint.CreateSocket();
        try
        {
            if (endpoint.IsUnix)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(endpoint.UnixPath)!);
                RemoveStaleSocket(endpoint.UnixPath!);
            }
            else
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            socket.Bind(endpoint.ToEndPoint());
            socket.Listen(512);
            if (endpoint.IsUnix && Options.UnixSocketMode is { } mode)
            {
                File.SetUnixFileMode(endpoint.UnixPath!, mode);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var bound = endpoint.IsUnix ? endpoint : TtrpcEndpoint.Tcp(endpoint.Host!, ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port);
        lock (_listeners)
        {
            _listeners.Add((socket, AcceptLoopAsync(socket, bound), bound));
        }

        if (Options.LogListening)
        {
            TtrpcLog.Listening(_logger, bound);
        }

        return Task.FromResult(bound);
    }

    /// <summary>Serves one connection that was accepted elsewhere (e.g. after a TLS handshake) until it closes.</summary>
    public Task HandleConnectionAsync(Stream stream, string peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var connection = new TtrpcServerConnection(this, stream, peer, _logger);
        var task = connection.RunAsync();
        _connections[connection] = task;
        var registration = cancellationToken.CanBeCanceled ? cancellationToken.Register(connection.Close) : default;
        return task.ContinueWith(
            t =>
            {
                registration.Dispose();
                _connections.TryRemove(connection, out _);
                return t;
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) != 0)
        {
            return;
        }

        // A server that only serves connections handed to it (the forwarder's, one per accepted TLS connection) has
        // no endpoint to name, and its owner logs the connection's end: "ttrpc server on (null)" said nothing.
        if (_listeners.Count > 0 && _logger.IsEnabled(LogLevel.Information))
        {
            TtrpcLog.Stopping(_logger, _listeners[0].Endpoint, CallsInFlight);
        }

        List<(Socket Socket, Task AcceptLoop, TtrpcEndpoint Endpoint)> listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener.Socket.Dispose();
            if (listener.Endpoint.IsUnix)
            {
                RemoveStaleSocket(listener.Endpoint.UnixPath!);
            }
        }

        await Task.WhenAll(listeners.Select(l => l.AcceptLoop)).ConfigureAwait(false);

        // Graceful: calls in flight finish and are answered, unless the caller runs out of patience.
        try
        {
            while (CallsInFlight > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Out of patience: the remaining calls are abandoned when their connections close.
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var connection in _connections.Keys)
        {
            connection.Close();
        }

        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        using var immediate = new CancellationTokenSource();
        await immediate.CancelAsync().ConfigureAwait(false);
        await StopAsync(immediate.Token).ConfigureAwait(false);
        _stopping.Dispose();
    }

    internal void OnCallStarted() => Interlocked.Increment(ref _inFlight);

    internal void OnCallFinished() => Interlocked.Decrement(ref _inFlight);

    private static void RemoveStaleSocket(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
            // Bind will report a clear error if the path is still in use.
        }
    }

    private async Task AcceptLoopAsync(Socket listener, TtrpcEndpoint endpoint)
    {
        // No Task.Yield first: the loop runs on the caller's thread only until the first accept, which waits (the
        // socket was bound a moment ago), and from then on on the pool. Yielding would queue a work item and so start
        // the thread pool's threads at the guest agent's start, before the pod VM is ready, for nothing.
        while (!IsStopping)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown)
            {
                return;
            }
            catch (SocketException ex)
            {
                TtrpcLog.AcceptFailed(_logger, ex, endpoint);
                continue;
            }

            if (!endpoint.IsUnix)
            {
                accepted.NoDelay = true;
            }

            var peer = accepted.RemoteEndPoint?.ToString() is { Length: > 0 } remote ? remote : endpoint.ToString();
            _ = HandleConnectionAsync(new NetworkStream(accepted, ownsSocket: true), peer, CancellationToken.None);
        }
    }
}
