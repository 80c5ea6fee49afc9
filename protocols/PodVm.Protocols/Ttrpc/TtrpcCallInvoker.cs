using Grpc.Core;
using KeyValue = PodVm.Protocols.Ttrpc.Wire.KeyValue;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// Carries the generated gRPC client stubs over a ttrpc connection: the method's service and name become the ttrpc
/// service and method strings, CallOptions.Deadline becomes timeout_nano, ASCII headers become ttrpc metadata,
/// and a non-OK status becomes an <see cref="RpcException"/> with the peer's code and message.
/// </summary>
internal sealed class TtrpcCallInvoker(TtrpcClient client, TimeProvider timeProvider) : CallInvoker
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        AsyncUnaryCall(method, host, options, request).ResponseAsync.GetAwaiter().GetResult();

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var state = new CallState();
        var response = UnaryAsync(method, options, request, state);
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), state.GetStatus, static () => [], static () => { });
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var payload = TtrpcSerializationContext.Serialize(method.RequestMarshaller, request);
        var stream = client.OpenStream(method.ServiceName, method.Name, clientSends: false, payload, ToTtrpc(options), options.CancellationToken);
        var reader = new TtrpcResponseStreamReader<TResponse>(stream, method.ResponseMarshaller);
        return new AsyncServerStreamingCall<TResponse>(reader, Task.FromResult(new Metadata()), () => StatusOf(stream), static () => [], stream.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var stream = client.OpenStream(method.ServiceName, method.Name, clientSends: true, ReadOnlyMemory<byte>.Empty, ToTtrpc(options), options.CancellationToken);
        var writer = new TtrpcRequestStreamWriter<TRequest>(stream, method.RequestMarshaller);
        var response = FinalResponseAsync(stream, method.ResponseMarshaller);
        return new AsyncClientStreamingCall<TRequest, TResponse>(writer, response, Task.FromResult(new Metadata()), () => StatusOf(stream), static () => [], stream.Dispose);
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var stream = client.OpenStream(method.ServiceName, method.Name, clientSends: true, ReadOnlyMemory<byte>.Empty, ToTtrpc(options), options.CancellationToken);
        var writer = new TtrpcRequestStreamWriter<TRequest>(stream, method.RequestMarshaller);
        var reader = new TtrpcResponseStreamReader<TResponse>(stream, method.ResponseMarshaller);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(writer, reader, Task.FromResult(new Metadata()), () => StatusOf(stream), static () => [], stream.Dispose);
    }

    private static async Task<TResponse> FinalResponseAsync<TResponse>(TtrpcClientStream stream, Marshaller<TResponse> marshaller)
    {
        var response = await stream.Response.ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw response.ToException();
        }

        return marshaller.ContextualDeserializer(new TtrpcDeserializationContext(response.Payload));
    }

    private static Status StatusOf(TtrpcClientStream stream) =>
        stream.Response.IsCompletedSuccessfully
            ? new Status(stream.Response.Result.Code, stream.Response.Result.Status?.Message ?? string.Empty)
            : throw new InvalidOperationException("the call has not finished");

    private async Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options, TRequest request, CallState state)
        where TRequest : class
        where TResponse : class
    {
        var payload = TtrpcSerializationContext.Serialize(method.RequestMarshaller, request);
        var response = await client.CallRawAsync(method.ServiceName, method.Name, payload, ToTtrpc(options), options.CancellationToken).ConfigureAwait(false);
        state.Status = new Status(response.Code, response.Status?.Message ?? string.Empty);
        if (!response.IsSuccess)
        {
            throw response.ToException();
        }

        try
        {
            return method.ResponseMarshaller.ContextualDeserializer(new TtrpcDeserializationContext(response.Payload));
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"cannot decode {method.FullName} response: {ex.Message}"));
        }
    }

    private TtrpcCallOptions ToTtrpc(CallOptions options)
    {
        TimeSpan? timeout = null;
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            var remaining = deadline.ToUniversalTime() - timeProvider.GetUtcNow().UtcDateTime;
            timeout = remaining > TimeSpan.Zero ? remaining : TimeSpan.FromTicks(1);
        }

        List<KeyValue>? metadata = null;
        if (options.Headers is { Count: > 0 } headers)
        {
            metadata = new List<KeyValue>(headers.Count);
            foreach (var entry in headers)
            {
                if (!entry.IsBinary)
                {
                    metadata.Add(new KeyValue { Key = entry.Key, Value = entry.Value });
                }
            }
        }

        return new TtrpcCallOptions { Timeout = timeout, Metadata = (IReadOnlyList<KeyValue>?)metadata ?? [] };
    }

    private sealed class CallState
    {
        public Status? Status { get; set; }

        public Status GetStatus() => Status ?? throw new InvalidOperationException("the call has not finished");
    }
}
