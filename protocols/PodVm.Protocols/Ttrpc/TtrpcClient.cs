using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PodVm.Protocols.Ttrpc.Wire;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// A ttrpc client: one connection carrying many concurrent calls. Stream ids are odd and strictly increasing on the
/// wire, responses are matched by id in any order, each call's deadline is sent as timeout_nano and enforced here too,
/// and losing the connection fails every pending call with <see cref="TtrpcStatus.ClosedMessage"/>.
/// </summary>
public sealed class TtrpcClient : IAsyncDisposable, ITtrpcFrameHandler
{
    /// <summary>
    /// The log category, the type's full name as <c>CreateLogger&lt;TtrpcClient&gt;()</c> would give it. Spelled out: in a
    /// NativeAOT guest program that call reads the type's name through reflection metadata before the pod VM is
    /// ready, code QEMU TCG has to translate.
    /// </summary>
    public const string LogCategory = "PodVm.Protocols.Ttrpc.TtrpcClient";

    private readonly TtrpcChannel _channel;
    private readonly TtrpcClientOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<uint, TtrpcClientCall> _calls = new();
    private readonly Lock _sendLock = new();
    private readonly Task _pumps;
    private uint _nextStreamId = 1;
    private bool _closed;

    public TtrpcClient(Stream stream, TtrpcClientOptions? options = null)
        : this(stream, null, options)
    {
    }

    /// <summary>
    /// A client over <paramref name="stream"/> (e.g. an SslStream) whose connection is <paramref name="socket"/>: with
    /// <see cref="TtrpcClientOptions.BlockingReceiveThread"/> the connection is read and written with blocking calls
    /// and closing shuts the socket down.
    /// </summary>
    public TtrpcClient(Stream stream, Socket? socket, TtrpcClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _options = options ?? new TtrpcClientOptions();
        _logger = _options.LoggerFactory?.CreateLogger(LogCategory) ?? NullLogger.Instance;
        _channel = new TtrpcChannel(stream, _options.MaxMessageLength, _options.WriteOnSenderThread,
            _options.BlockingReceiveThread ? socket ?? TtrpcChannel.SocketOf(stream) : null);
        _pumps = RunAsync();
    }

    /// <summary>Completes when the connection is gone, for whatever reason.</summary>
    public Task Completion => _pumps;

    public bool IsConnected => !_channel.Closed.IsCancellationRequested;

    public static async Task<TtrpcClient> ConnectAsync(TtrpcEndpoint endpoint, TtrpcClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        options ??= new TtrpcClientOptions();
        var socket = endpoint.CreateSocket();
        try
        {
            using var timeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            if (options.BlockingReceiveThread)
            {
                // An asynchronous connect may leave the socket non-blocking; blocking mode needs it blocking.
                await Task.Factory.StartNew(() => ConnectBlocking(socket, endpoint.ToEndPoint(), linked.Token), linked.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(endpoint.ToEndPoint(), linked.Token).ConfigureAwait(false);
            }

            return new TtrpcClient(new NetworkStream(socket, ownsSocket: true), socket, options);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"connecting to {endpoint} timed out after {options.ConnectTimeout.TotalSeconds:0.#}s"));
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"cannot connect to {endpoint}: {ex.Message}"));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects <paramref name="socket"/> with a blocking connect (it stays in blocking mode, see
    /// <see cref="TtrpcClientOptions.BlockingReceiveThread"/>); <paramref name="cancellationToken"/> aborts it by
    /// shutting the socket down and disposing it.
    /// </summary>
    public static void ConnectBlocking(Socket socket, EndPoint endPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        using var abort = cancellationToken.UnsafeRegister(static state => Abort((Socket)state!), socket);
        try
        {
            socket.Connect(endPoint);
        }
        catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (SocketException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>
    /// Wakes a thread blocked in a blocking connect, read or write on <paramref name="socket"/> (shutdown does; a
    /// dispose alone does not) and disposes it.
    /// </summary>
    public static void Abort(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        TtrpcChannel.Shutdown(socket);
        socket.Dispose();
    }

    /// <summary>A gRPC-style invoker, so the generated typed clients (e.g. AgentService.AgentServiceClient) run over ttrpc.</summary>
    public CallInvoker CreateCallInvoker() => new TtrpcCallInvoker(this, _options.TimeProvider);

    /// <summary>A unary call with an undecoded payload. Errors come back in the response, never as exceptions.</summary>
    public Task<TtrpcRawResponse> CallRawAsync(string service, string method, ReadOnlyMemory<byte> payload, TtrpcCallOptions? options, CancellationToken cancellationToken) =>
        CallRawAsync(service, method, payload, options, cancellationToken, relayedDeadline: default);

    private Task<TtrpcRawResponse> CallRawAsync(string service, string method, ReadOnlyMemory<byte> payload, TtrpcCallOptions? options, CancellationToken cancellationToken, CancellationToken relayedDeadline)
    {
        options ??= TtrpcCallOptions.Default;
        var call = new TtrpcClientCall(streaming: false, _options.ResumeOnReceivePump);
        var request = CreateRequest(service, method, payload, options);
        var size = request.CalculateSize();
        if (size > _channel.MaxMessageLength)
        {
            return Task.FromResult(TtrpcRawResponse.Error(StatusCode.ResourceExhausted, TtrpcStatus.OversizedMessage(size, _channel.MaxMessageLength)));
        }

        if (!TryStart(call, new TtrpcOutgoingFrame(0, TtrpcMessageType.Request, TtrpcFrameFlags.None, request), out var closedResponse))
        {
            return Task.FromResult(closedResponse);
        }

        return AwaitResponseAsync(call, StartDeadline(call, options), cancellationToken, relayedDeadline);
    }

    /// <summary>
    /// Relays a unary call a <see cref="TtrpcServer"/> received (its <see cref="TtrpcServer.Fallback"/>): the request
    /// goes out byte for byte as the caller encoded it (service, method, payload, timeout and metadata), on a stream
    /// id of this connection, and the response comes back with its encoded body, which the server writes back as it
    /// is. A request made locally is encoded from its fields. Errors come back in the response, never as exceptions;
    /// no deadline is enforced here, the caller's travels in the request.
    /// </summary>
    public Task<TtrpcRawResponse> RelayAsync(TtrpcRawRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Encoded.IsEmpty)
        {
            return CallRawAsync(request.Service, request.Method, request.Payload,
                new TtrpcCallOptions { ForwardedTimeoutNano = request.TimeoutNano, Metadata = request.Metadata }, cancellationToken, request.Deadline);
        }

        if (request.Encoded.Length > _channel.MaxMessageLength)
        {
            return Task.FromResult(TtrpcRawResponse.Error(StatusCode.ResourceExhausted, TtrpcStatus.OversizedMessage(request.Encoded.Length, _channel.MaxMessageLength)));
        }

        var call = new TtrpcClientCall(streaming: false, _options.ResumeOnReceivePump);
        if (!TryStart(call, new TtrpcOutgoingFrame(0, TtrpcMessageType.Request, TtrpcFrameFlags.None, request.Encoded), out var closedResponse))
        {
            return Task.FromResult(closedResponse);
        }

        return AwaitResponseAsync(call, null, cancellationToken, request.Deadline);
    }

    /// <summary>A unary call that throws <see cref="RpcException"/> for any non-OK status.</summary>
    public async Task<TResponse> CallAsync<TResponse>(string service, string method, IMessage request, MessageParser<TResponse> parser, TtrpcCallOptions? options, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parser);
        var response = await CallRawAsync(service, method, request.ToByteArray(), options, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw response.ToException();
        }

        try
        {
            return parser.ParseFrom(response.Payload.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, $"cannot decode {service}/{method} response: {ex.Message}"));
        }
    }

    /// <summary>
    /// Opens a streaming call (ttrpc 1.2). <paramref name="clientSends"/>: the client will send Data frames;
    /// <paramref name="initialPayload"/>: the request message of a server-streaming call.
    /// </summary>
    public TtrpcClientStream OpenStream(string service, string method, bool clientSends, ReadOnlyMemory<byte> initialPayload, TtrpcCallOptions? options, CancellationToken cancellationToken)
    {
        options ??= TtrpcCallOptions.Default;
        var call = new TtrpcClientCall(streaming: true);
        var request = CreateRequest(service, method, initialPayload, options);
        var flags = clientSends ? TtrpcFrameFlags.RemoteOpen : TtrpcFrameFlags.RemoteClosed;
        if (!TryStart(call, new TtrpcOutgoingFrame(0, TtrpcMessageType.Request, flags, request), out var closed))
        {
            call.Fail(closed);
        }

        var deadline = StartDeadline(call, options);
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, _) => ((TtrpcClientCall)state!).Fail(CancelledResponse()), call)
            : default;
        return new TtrpcClientStream(this, call, deadline, registration);
    }

    public async ValueTask DisposeAsync()
    {
        CloseAll();
        await _channel.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _pumps.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The pumps end by cancellation on dispose.
        }
    }

    void ITtrpcFrameHandler.OnFrame(in TtrpcFrameHeader header, in ReadOnlySequence<byte> body)
    {
        if (!_calls.TryGetValue(header.StreamId, out var call))
        {
            // A late answer for a call that was cancelled or timed out: nobody waits for it.
            return;
        }

        switch (header.Type)
        {
            case TtrpcMessageType.Response:
                // One copy out of the receive buffer, with room for a header in front: the payload is a slice of it
                // and a relay's server writes the whole buffer back out as it is.
                var framed = GC.AllocateUninitializedArray<byte>(TtrpcFrameHeader.Size + (int)body.Length);
                body.CopyTo(framed.AsSpan(TtrpcFrameHeader.Size));
                if (TtrpcRawResponse.FromFrame(framed, out var error) is not { } response)
                {
                    call.Fail(TtrpcRawResponse.Error(StatusCode.Internal, $"malformed response frame: {error}"));
                    return;
                }

                call.Complete(response);
                break;
            case TtrpcMessageType.Data:
                var data = (header.Flags & TtrpcFrameFlags.NoData) != 0 ? ReadOnlyMemory<byte>.Empty : body.ToArray();
                call.OnData(data, hasData: (header.Flags & TtrpcFrameFlags.NoData) == 0, last: (header.Flags & TtrpcFrameFlags.RemoteClosed) != 0);
                break;
            default:
                TtrpcLog.UnexpectedFrame(_logger, header.Type, header.StreamId);
                break;
        }
    }

    void ITtrpcFrameHandler.OnOversizedFrame(in TtrpcFrameHeader header)
    {
        if (_calls.TryGetValue(header.StreamId, out var call))
        {
            call.Fail(TtrpcRawResponse.Error(StatusCode.ResourceExhausted, TtrpcStatus.OversizedMessage(header.Length, _channel.MaxMessageLength)));
        }
    }

    internal bool TrySendData(TtrpcClientCall call, ReadOnlyMemory<byte> payload, TtrpcFrameFlags flags) =>
        _channel.TrySend(new TtrpcOutgoingFrame(call.StreamId, TtrpcMessageType.Data, flags, payload));

    internal void Forget(TtrpcClientCall call) => _calls.TryRemove(call.StreamId, out _);

    private static Request CreateRequest(string service, string method, ReadOnlyMemory<byte> payload, TtrpcCallOptions options)
    {
        var request = new Request
        {
            Service = service,
            Method = method,
            Payload = UnsafeByteOperations.UnsafeWrap(payload),
        };
        if (options.Timeout is { } timeout)
        {
            request.TimeoutNano = Math.Max(1, timeout.Ticks * 100);
        }
        else if (options.ForwardedTimeoutNano > 0)
        {
            request.TimeoutNano = options.ForwardedTimeoutNano;
        }

        if (options.Metadata.Count > 0)
        {
            request.Metadata.Add(options.Metadata);
        }

        return request;
    }

    /// <summary>Takes the next stream id for <paramref name="call"/> and queues <paramref name="frame"/> (its stream id is replaced).</summary>
    private bool TryStart(TtrpcClientCall call, in TtrpcOutgoingFrame frame, out TtrpcRawResponse closed)
    {
        closed = null!;
        lock (_sendLock)
        {
            // Ids are taken and frames queued under one lock, so ids reach the wire strictly increasing.
            if (_closed || _nextStreamId > uint.MaxValue - 2)
            {
                closed = TtrpcRawResponse.Error(StatusCode.Unavailable, TtrpcStatus.ClosedMessage);
                return false;
            }

            call.StreamId = _nextStreamId;
            _nextStreamId += 2;
            _calls[call.StreamId] = call;
            if (!_channel.TrySend(frame.WithStreamId(call.StreamId)))
            {
                _calls.TryRemove(call.StreamId, out _);
                closed = TtrpcRawResponse.Error(StatusCode.Unavailable, TtrpcStatus.ClosedMessage);
                return false;
            }
        }

        return true;
    }

    private CancellationTokenSource? StartDeadline(TtrpcClientCall call, TtrpcCallOptions options)
    {
        if (options.Timeout is not { } timeout)
        {
            return null;
        }

        var cts = new CancellationTokenSource(timeout, _options.TimeProvider);
        cts.Token.UnsafeRegister(static (state, _) => ((TtrpcClientCall)state!).Fail(DeadlineExceededResponse()), call);
        return cts;
    }

    private static TtrpcRawResponse DeadlineExceededResponse() => TtrpcRawResponse.Error(StatusCode.DeadlineExceeded, "context deadline exceeded");

    private static TtrpcRawResponse CancelledResponse() => TtrpcRawResponse.Error(StatusCode.Cancelled, "call cancelled by the caller");

    /// <param name="relayedDeadline">
    /// For a relayed call, the original caller's deadline as the relaying server measures it
    /// (<see cref="TtrpcRawRequest.Deadline"/>). The server's call token is cancelled when it runs out too; the call
    /// then fails with DeadlineExceeded, what the callee answers at that moment, rather than Cancelled.
    /// </param>
    private async Task<TtrpcRawResponse> AwaitResponseAsync(TtrpcClientCall call, CancellationTokenSource? deadlineSource, CancellationToken cancellationToken, CancellationToken relayedDeadline = default)
    {
        using var deadline = deadlineSource;
        using var registration = !cancellationToken.CanBeCanceled ? default
            : relayedDeadline.CanBeCanceled
                ? cancellationToken.UnsafeRegister(
                    static (state, _) =>
                    {
                        var (relayed, callerDeadline) = ((TtrpcClientCall, CancellationToken))state!;
                        relayed.Fail(callerDeadline.IsCancellationRequested ? DeadlineExceededResponse() : CancelledResponse());
                    },
                    (call, relayedDeadline))
                : cancellationToken.UnsafeRegister(static (state, _) => ((TtrpcClientCall)state!).Fail(CancelledResponse()), call);
        try
        {
            return await call.Response.ConfigureAwait(false);
        }
        finally
        {
            _calls.TryRemove(call.StreamId, out _);
        }
    }

    private async Task RunAsync()
    {
        await Task.Yield();
        var send = _channel.RunSendPumpAsync();
        var receive = _channel.RunReceivePumpAsync(this);
        var reason = await receive.ConfigureAwait(false);
        _channel.Close();
        await send.ConfigureAwait(false);
        if (reason == TtrpcCloseReason.Unexpected)
        {
            TtrpcLog.ClientConnectionFailed(_logger, reason);
        }

        CloseAll();
    }

    private void CloseAll()
    {
        lock (_sendLock)
        {
            _closed = true;
        }

        foreach (var call in _calls.Values)
        {
            call.Fail(TtrpcRawResponse.Error(StatusCode.Unavailable, TtrpcStatus.ClosedMessage));
        }

        _calls.Clear();
        _channel.Close();
    }
}
