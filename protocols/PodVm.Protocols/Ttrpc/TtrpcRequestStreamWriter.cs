using Grpc.Core;

namespace PodVm.Protocols.Ttrpc;

/// <summary>Writes typed messages on the client's side of a ttrpc stream as Data frames.</summary>
internal sealed class TtrpcRequestStreamWriter<T>(TtrpcClientStream stream, Marshaller<T> marshaller) : IClientStreamWriter<T>
{
    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message) => stream.WriteAsync(TtrpcSerializationContext.Serialize(marshaller, message)).AsTask();

    public Task CompleteAsync() => stream.CompleteAsync().AsTask();
}
