using Grpc.Core;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// One servable method. <see cref="InvokeAsync"/> returns the payload of the final Response, or null when the
/// method ended a server stream (then the server closes it with a RemoteClosed Data frame).
/// </summary>
internal abstract class TtrpcServerMethod
{
    public abstract bool ClientSends { get; }

    public abstract Task<ReadOnlyMemory<byte>?> InvokeAsync(TtrpcServerCall call);

    internal static T Decode<T>(Marshaller<T> marshaller, ReadOnlyMemory<byte> payload)
    {
        try
        {
            return marshaller.ContextualDeserializer(new TtrpcDeserializationContext(payload));
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"unmarshal request error: {ex.Message}"));
        }
    }
}
