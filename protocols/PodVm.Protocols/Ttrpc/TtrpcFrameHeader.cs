using System.Buffers.Binary;

namespace PodVm.Protocols.Ttrpc;

/// <summary>The 10-byte frame header: length and stream id big-endian, then type and flags.</summary>
public readonly record struct TtrpcFrameHeader(uint Length, uint StreamId, TtrpcMessageType Type, TtrpcFrameFlags Flags)
{
    public const int Size = 10;

    /// <summary>Largest body either side accepts (4 MiB), as containerd/ttrpc and ttrpc-rust.</summary>
    public const int MaxMessageLength = 4 << 20;

    public static TtrpcFrameHeader Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt32BigEndian(source),
        BinaryPrimitives.ReadUInt32BigEndian(source[4..]),
        (TtrpcMessageType)source[8],
        (TtrpcFrameFlags)source[9]);

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StreamId);
        destination[8] = (byte)Type;
        destination[9] = (byte)Flags;
    }
}
