using System.Buffers;
using Grpc.Core;

namespace PodVm.Protocols.Ttrpc;

/// <summary>Hands a received payload to a gRPC marshaller without copying it into a new array.</summary>
internal sealed class TtrpcDeserializationContext(ReadOnlyMemory<byte> payload) : DeserializationContext
{
    public override int PayloadLength => payload.Length;

    public override byte[] PayloadAsNewBuffer() => payload.ToArray();

    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(payload);
}
