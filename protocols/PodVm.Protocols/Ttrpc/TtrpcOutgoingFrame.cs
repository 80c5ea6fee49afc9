using Google.Protobuf;

namespace PodVm.Protocols.Ttrpc;

/// <summary>A frame queued for the send pump: either a protobuf message serialised straight into the pipe, or raw bytes.</summary>
internal readonly struct TtrpcOutgoingFrame
{
    public TtrpcOutgoingFrame(uint streamId, TtrpcMessageType type, TtrpcFrameFlags flags, IMessage message)
    {
        StreamId = streamId;
        Type = type;
        Flags = flags;
        Message = message;
    }

    public TtrpcOutgoingFrame(uint streamId, TtrpcMessageType type, TtrpcFrameFlags flags, ReadOnlyMemory<byte> raw)
    {
        StreamId = streamId;
        Type = type;
        Flags = flags;
        Raw = raw;
    }

    public uint StreamId { get; }

    public TtrpcMessageType Type { get; }

    public TtrpcFrameFlags Flags { get; }

    public IMessage? Message { get; }

    public ReadOnlyMemory<byte> Raw { get; }
}
