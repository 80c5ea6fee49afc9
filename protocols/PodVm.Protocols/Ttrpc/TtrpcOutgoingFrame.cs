using Google.Protobuf;

namespace PodVm.Protocols.Ttrpc;

/// <summary>A frame queued for the send pump: a protobuf message serialised straight into the pipe, raw body bytes, or a whole encoded frame.</summary>
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

    /// <summary>
    /// A frame whose body is already encoded after <see cref="TtrpcFrameHeader.Size"/> bytes of room: the send pump
    /// writes the header into that room and the buffer to the stream as it is. The buffer belongs to this frame.
    /// </summary>
    public TtrpcOutgoingFrame(uint streamId, TtrpcMessageType type, TtrpcFrameFlags flags, byte[] framed)
    {
        StreamId = streamId;
        Type = type;
        Flags = flags;
        Framed = framed;
    }

    private TtrpcOutgoingFrame(in TtrpcOutgoingFrame frame, uint streamId)
    {
        StreamId = streamId;
        Type = frame.Type;
        Flags = frame.Flags;
        Message = frame.Message;
        Raw = frame.Raw;
        Framed = frame.Framed;
    }

    public uint StreamId { get; }

    public TtrpcMessageType Type { get; }

    public TtrpcFrameFlags Flags { get; }

    public IMessage? Message { get; }

    public ReadOnlyMemory<byte> Raw { get; }

    public byte[]? Framed { get; }

    /// <summary>The same frame on another stream.</summary>
    public TtrpcOutgoingFrame WithStreamId(uint streamId) => new(this, streamId);
}
