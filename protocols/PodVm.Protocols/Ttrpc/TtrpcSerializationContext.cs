using System.Buffers;
using Grpc.Core;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// Lets a gRPC marshaller (the generated protobuf ones are contextual-only) write a message into a buffer we own.
/// </summary>
internal sealed class TtrpcSerializationContext : SerializationContext
{
    private ArrayBufferWriter<byte>? _writer;
    private ReadOnlyMemory<byte> _payload;

    public static ReadOnlyMemory<byte> Serialize<T>(Marshaller<T> marshaller, T message)
    {
        var context = new TtrpcSerializationContext();
        marshaller.ContextualSerializer(message, context);
        return context._payload;
    }

    public override void Complete(byte[] payload) => _payload = payload;

    public override IBufferWriter<byte> GetBufferWriter() => _writer ??= new ArrayBufferWriter<byte>();

    public override void SetPayloadLength(int payloadLength)
    {
        // The buffer grows as the marshaller writes; knowing the length up front only saves a resize.
        _writer ??= new ArrayBufferWriter<byte>(Math.Max(payloadLength, 1));
    }

    public override void Complete() => _payload = _writer?.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;
}
