using Grpc.Core;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// The client's end of a streaming call (ttrpc 1.2): Data frames out with <see cref="WriteAsync"/>, the
/// RemoteClosed|NoData close with <see cref="CompleteAsync"/>, Data frames in with <see cref="ReadAsync"/>.
/// </summary>
public sealed class TtrpcClientStream : IAsyncDisposable, IDisposable
{
    private readonly TtrpcClient _client;
    private readonly TtrpcClientCall _call;
    private readonly CancellationTokenSource? _deadline;
    private readonly CancellationTokenRegistration _registration;
    private bool _sendClosed;

    internal TtrpcClientStream(TtrpcClient client, TtrpcClientCall call, CancellationTokenSource? deadline, CancellationTokenRegistration registration)
    {
        _client = client;
        _call = call;
        _deadline = deadline;
        _registration = registration;
    }

    /// <summary>The call's final response: success when the server closed its stream or answered OK.</summary>
    public Task<TtrpcRawResponse> Response => _call.Response;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> message)
    {
        if (_sendClosed)
        {
            throw new InvalidOperationException("the request stream is already complete");
        }

        if (_call.Response.IsCompleted)
        {
            var response = _call.Response.Result;
            throw response.IsSuccess ? new RpcException(new Status(StatusCode.FailedPrecondition, "the call has ended")) : response.ToException();
        }

        return _client.TrySendData(_call, message, TtrpcFrameFlags.None) ? ValueTask.CompletedTask : throw TtrpcStatus.Closed();
    }

    public ValueTask CompleteAsync()
    {
        if (!_sendClosed)
        {
            _sendClosed = true;
            _client.TrySendData(_call, ReadOnlyMemory<byte>.Empty, TtrpcFrameFlags.RemoteClosed | TtrpcFrameFlags.NoData);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The next message from the server, or null at the end of its stream. Throws <see cref="RpcException"/> on error.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        if (await _call.Incoming.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && _call.Incoming.TryRead(out var message))
        {
            return message;
        }

        return null;
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        _registration.Dispose();
        _deadline?.Dispose();
        _client.Forget(_call);
    }
}
