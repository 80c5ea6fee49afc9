using System.Buffers;
using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using PodVm.Protocols.Ttrpc.Wire;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// Serves one accepted connection: validates each Request (odd, increasing stream ids; decodable; known
/// service and method), runs its handler concurrently with the others, and answers on the same stream id. Bad
/// frames are answered with an error status and the connection stays up.
/// </summary>
internal sealed class TtrpcServerConnection : ITtrpcFrameHandler, IAsyncDisposable
{
    private readonly TtrpcServer _server;
    private readonly TtrpcChannel _channel;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<uint, TtrpcServerCall> _calls = new();
    private uint _lastStreamId;
    private int _inFlight;

    public TtrpcServerConnection(TtrpcServer server, Stream stream, string peer, ILogger logger)
    {
        _server = server;
        _logger = logger;
        Peer = peer;
        _channel = new TtrpcChannel(stream, server.Options.MaxMessageLength, server.Options.WriteOnSenderThread,
            server.Options.BlockingReceiveThreads ? TtrpcChannel.SocketOf(stream) : null);
    }

    public string Peer { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task RunAsync()
    {
        await Task.Yield();
        var send = _channel.RunSendPumpAsync();
        var reason = await _channel.RunReceivePumpAsync(this).ConfigureAwait(false);
        if (reason == TtrpcCloseReason.Unexpected)
        {
            TtrpcLog.ServerConnectionFailed(_logger, reason);
        }

        // The peer is gone or stopped sending: let calls in flight finish and answer before closing our side.
        if (reason is TtrpcCloseReason.PeerClosed)
        {
            await WaitForCallsAsync(_server.StoppingToken).ConfigureAwait(false);
        }

        _channel.Close();
        await send.ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _channel.DisposeAsync();

    public void Close() => _channel.Close();

    public void Send(in TtrpcOutgoingFrame frame) => _channel.TrySend(frame);

    public async Task WaitForCallsAsync(CancellationToken cancellationToken)
    {
        while (InFlight > 0 && !cancellationToken.IsCancellationRequested && !_channel.Closed.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), _server.Options.TimeProvider, CancellationToken.None).ConfigureAwait(false);
        }
    }

    void ITtrpcFrameHandler.OnFrame(in TtrpcFrameHeader header, in ReadOnlySequence<byte> body)
    {
        switch (header.Type)
        {
            case TtrpcMessageType.Request:
                OnRequest(header, body);
                break;
            case TtrpcMessageType.Data:
                if (_calls.TryGetValue(header.StreamId, out var call))
                {
                    var noData = (header.Flags & TtrpcFrameFlags.NoData) != 0;
                    call.OnData(noData ? ReadOnlyMemory<byte>.Empty : body.ToArray(), !noData, (header.Flags & TtrpcFrameFlags.RemoteClosed) != 0);
                }

                break;
            default:
                TtrpcLog.UnexpectedFrame(_logger, header.Type, header.StreamId);

                break;
        }
    }

    void ITtrpcFrameHandler.OnOversizedFrame(in TtrpcFrameHeader header)
    {
        if (header.Type == TtrpcMessageType.Request && header.StreamId > _lastStreamId)
        {
            _lastStreamId = header.StreamId;
        }

        Reply(header.StreamId, StatusCode.ResourceExhausted, TtrpcStatus.OversizedMessage(header.Length, _channel.MaxMessageLength));
    }

    private void OnRequest(in TtrpcFrameHeader header, in ReadOnlySequence<byte> body)
    {
        var streamId = header.StreamId;
        if (streamId % 2 == 0)
        {
            Reply(streamId, StatusCode.InvalidArgument, "StreamID must be odd for client initiated streams");
            return;
        }

        if (streamId <= _lastStreamId)
        {
            Reply(streamId, StatusCode.InvalidArgument, "StreamID cannot be re-used and must increment");
            return;
        }

        _lastStreamId = streamId;

        Request request;
        var encoded = ReadOnlyMemory<byte>.Empty;
        try
        {
            if (_server.Fallback is not null)
            {
                // A relay may send the request on as it came: keep the body (one copy out of the receive buffer).
                encoded = body.ToArray();
                request = Request.Parser.ParseFrom(encoded.Span);
            }
            else
            {
                request = Request.Parser.ParseFrom(body);
            }
        }
        catch (InvalidProtocolBufferException ex)
        {
            Reply(streamId, StatusCode.InvalidArgument, $"unmarshal request error: {ex.Message}");
            return;
        }

        if (_server.IsStopping)
        {
            Reply(streamId, StatusCode.Unavailable, "ttrpc: server shutting down");
            return;
        }

        if (InFlight >= _server.Options.MaxConcurrentCallsPerConnection)
        {
            Reply(streamId, StatusCode.ResourceExhausted, $"too many concurrent calls on one connection (limit {_server.Options.MaxConcurrentCallsPerConnection})");
            return;
        }

        TtrpcServerMethod? method;
        if (!_server.Binder.TryGet(request.Service, request.Method, out method, out var serviceKnown))
        {
            if (_server.Fallback is { } fallback)
            {
                method = new TtrpcServerMethods.Raw(fallback, encoded);
            }
            else
            {
                Reply(streamId, StatusCode.Unimplemented, serviceKnown ? $"method {request.Method}" : $"service {request.Service}");
                return;
            }
        }

        var clientSends = method!.ClientSends && (header.Flags & TtrpcFrameFlags.RemoteOpen) != 0;
        var call = new TtrpcServerCall(this, streamId, request, clientSends, _server.Options.TimeProvider, _channel.Closed);
        if (clientSends)
        {
            _calls[streamId] = call;
        }

        Interlocked.Increment(ref _inFlight);
        _server.OnCallStarted();
        _ = RunCallAsync(call, method);
    }

    private async Task RunCallAsync(TtrpcServerCall call, TtrpcServerMethod method)
    {
        try
        {
            // Typed handlers run user code that may block before its first await: off the receive pump. Raw
            // handlers are relays (the adaptor's proxy, the forwarder) that only queue a frame and await the
            // answer; running them inline saves a thread-pool hop per call (see TtrpcServer.Fallback).
            if (method is not TtrpcServerMethods.Raw)
            {
                await Task.Yield();
            }

            if (method is TtrpcServerMethods.Raw raw)
            {
                var response = await raw.InvokeRawAsync(call).ConfigureAwait(false);
                if (response.Framed is { } framed)
                {
                    // A response relayed from another ttrpc peer: its body goes out as it came, under our stream id.
                    SendFramed(call.StreamId, framed);
                }
                else
                {
                    SendResponse(call.StreamId, new Response { Status = response.Status, Payload = UnsafeByteOperations.UnsafeWrap(response.Payload) });
                }

                return;
            }

            var payload = await method.InvokeAsync(call).ConfigureAwait(false);
            if (payload is { } bytes)
            {
                SendResponse(call.StreamId, new Response { Payload = UnsafeByteOperations.UnsafeWrap(bytes) });
            }
            else
            {
                Send(new TtrpcOutgoingFrame(call.StreamId, TtrpcMessageType.Data, TtrpcFrameFlags.RemoteClosed | TtrpcFrameFlags.NoData, ReadOnlyMemory<byte>.Empty));
            }
        }
        catch (RpcException ex)
        {
            Reply(call.StreamId, ex.StatusCode, ex.Status.Detail);
        }
        catch (OperationCanceledException) when (call.DeadlineExpired)
        {
            Reply(call.StreamId, StatusCode.DeadlineExceeded, "context deadline exceeded");
        }
        catch (OperationCanceledException) when (call.CancellationToken.IsCancellationRequested)
        {
            Reply(call.StreamId, StatusCode.Cancelled, "context canceled");
        }
        catch (Exception ex)
        {
            TtrpcLog.HandlerFailed(_logger, ex, call.Request.Service, call.Request.Method);
            Reply(call.StreamId, StatusCode.Unknown, ex.Message);
        }
        finally
        {
            _calls.TryRemove(call.StreamId, out _);
            call.Dispose();
            Interlocked.Decrement(ref _inFlight);
            _server.OnCallFinished();
        }
    }

    private void SendResponse(uint streamId, Response response)
    {
        var size = response.CalculateSize();
        if (size > _channel.MaxMessageLength)
        {
            Reply(streamId, StatusCode.ResourceExhausted, TtrpcStatus.OversizedMessage(size, _channel.MaxMessageLength));
            return;
        }

        Send(new TtrpcOutgoingFrame(streamId, TtrpcMessageType.Response, TtrpcFrameFlags.None, response));
    }

    private void SendFramed(uint streamId, byte[] framed)
    {
        var size = framed.Length - TtrpcFrameHeader.Size;
        if (size > _channel.MaxMessageLength)
        {
            Reply(streamId, StatusCode.ResourceExhausted, TtrpcStatus.OversizedMessage(size, _channel.MaxMessageLength));
            return;
        }

        Send(new TtrpcOutgoingFrame(streamId, TtrpcMessageType.Response, TtrpcFrameFlags.None, framed));
    }

    private void Reply(uint streamId, StatusCode code, string message)
    {
        if (code != StatusCode.OK)
        {
            TtrpcLog.RejectedFrame(_logger, streamId, message);
        }

        var response = new Response { Status = new Wire.Status { Code = (int)code, Message = message } };
        Send(new TtrpcOutgoingFrame(streamId, TtrpcMessageType.Response, TtrpcFrameFlags.None, response));
    }
}
