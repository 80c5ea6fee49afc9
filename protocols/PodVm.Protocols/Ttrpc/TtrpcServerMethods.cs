using Grpc.Core;

namespace PodVm.Protocols.Ttrpc;

/// <summary>The four gRPC method shapes, adapted to ttrpc frames.</summary>
internal static class TtrpcServerMethods
{
    internal sealed class Unary<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler) : TtrpcServerMethod
        where TRequest : class
        where TResponse : class
    {
        public override bool ClientSends => false;

        public override async Task<ReadOnlyMemory<byte>?> InvokeAsync(TtrpcServerCall call)
        {
            var request = Decode(method.RequestMarshaller, call.Request.Payload.Memory);
            var response = await handler(request, call.Context).ConfigureAwait(false);
            return TtrpcSerializationContext.Serialize(method.ResponseMarshaller, response);
        }
    }

    internal sealed class ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler) : TtrpcServerMethod
        where TRequest : class
        where TResponse : class
    {
        public override bool ClientSends => false;

        public override async Task<ReadOnlyMemory<byte>?> InvokeAsync(TtrpcServerCall call)
        {
            var request = Decode(method.RequestMarshaller, call.Request.Payload.Memory);
            await handler(request, new ResponseWriter<TResponse>(call, method.ResponseMarshaller), call.Context).ConfigureAwait(false);
            return null;
        }
    }

    internal sealed class ClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler) : TtrpcServerMethod
        where TRequest : class
        where TResponse : class
    {
        public override bool ClientSends => true;

        public override async Task<ReadOnlyMemory<byte>?> InvokeAsync(TtrpcServerCall call)
        {
            var response = await handler(new RequestReader<TRequest>(call, method.RequestMarshaller), call.Context).ConfigureAwait(false);
            return TtrpcSerializationContext.Serialize(method.ResponseMarshaller, response);
        }
    }

    internal sealed class DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler) : TtrpcServerMethod
        where TRequest : class
        where TResponse : class
    {
        public override bool ClientSends => true;

        public override async Task<ReadOnlyMemory<byte>?> InvokeAsync(TtrpcServerCall call)
        {
            await handler(new RequestReader<TRequest>(call, method.RequestMarshaller), new ResponseWriter<TResponse>(call, method.ResponseMarshaller), call.Context).ConfigureAwait(false);
            return null;
        }
    }

    /// <param name="handler">The relay.</param>
    /// <param name="encoded">The Request body as received, which the relay may send on as it is.</param>
    internal sealed class Raw(TtrpcRawHandler handler, ReadOnlyMemory<byte> encoded) : TtrpcServerMethod
    {
        public override bool ClientSends => false;

        public override Task<ReadOnlyMemory<byte>?> InvokeAsync(TtrpcServerCall call) =>
            throw new InvalidOperationException("raw calls are dispatched by the connection");

        public ValueTask<TtrpcRawResponse> InvokeRawAsync(TtrpcServerCall call) => handler(
            new TtrpcRawRequest
            {
                Service = call.Request.Service,
                Method = call.Request.Method,
                Payload = call.Request.Payload.Memory,
                TimeoutNano = call.Request.TimeoutNano,
                Metadata = call.Request.Metadata,
                Deadline = call.DeadlineToken,
                Encoded = encoded,
            },
            call.CancellationToken);
    }

    private sealed class ResponseWriter<T>(TtrpcServerCall call, Marshaller<T> marshaller) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(T message)
        {
            call.CancellationToken.ThrowIfCancellationRequested();
            call.SendData(TtrpcSerializationContext.Serialize(marshaller, message));
            return Task.CompletedTask;
        }
    }

    private sealed class RequestReader<T>(TtrpcServerCall call, Marshaller<T> marshaller) : IAsyncStreamReader<T>
    {
        private bool _initialTaken;
        private T? _current;

        public T Current => _current ?? throw new InvalidOperationException("MoveNext has not returned true");

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            // A non-empty payload on the opening Request is the stream's first message.
            if (!_initialTaken)
            {
                _initialTaken = true;
                if (!call.Request.Payload.IsEmpty)
                {
                    _current = TtrpcServerMethod.Decode(marshaller, call.Request.Payload.Memory);
                    return true;
                }
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CancellationToken);
            if (await call.Incoming.WaitToReadAsync(linked.Token).ConfigureAwait(false) && call.Incoming.TryRead(out var data))
            {
                _current = TtrpcServerMethod.Decode(marshaller, data);
                return true;
            }

            return false;
        }
    }
}
