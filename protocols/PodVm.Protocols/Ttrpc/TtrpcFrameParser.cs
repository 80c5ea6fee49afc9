using System.Buffers;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// Cuts frames out of a byte stream that arrives in arbitrary pieces. The size limit is checked from the header,
/// before the body is read: an oversized body is skipped as it streams in (never buffered), and the caller is told
/// once so it can answer that stream with ResourceExhausted while the connection stays usable.
/// </summary>
public sealed class TtrpcFrameParser
{
    private long _discardRemaining;

    public TtrpcFrameParser(int maxMessageLength = TtrpcFrameHeader.MaxMessageLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxMessageLength);
        MaxMessageLength = maxMessageLength;
    }

    public int MaxMessageLength { get; }

    /// <summary>
    /// Tries to take one frame from the front of <paramref name="buffer"/>, which is advanced past what was consumed.
    /// The body slices <paramref name="buffer"/>'s memory: use it before advancing the reader.
    /// </summary>
    public TtrpcParseStatus TryRead(ref ReadOnlySequence<byte> buffer, out TtrpcFrameHeader header, out ReadOnlySequence<byte> body)
    {
        header = default;
        body = default;

        if (_discardRemaining > 0)
        {
            var skip = Math.Min(_discardRemaining, buffer.Length);
            buffer = buffer.Slice(skip);
            _discardRemaining -= skip;
            if (_discardRemaining > 0)
            {
                return TtrpcParseStatus.NeedMoreData;
            }
        }

        if (buffer.Length < TtrpcFrameHeader.Size)
        {
            return TtrpcParseStatus.NeedMoreData;
        }

        Span<byte> headerBytes = stackalloc byte[TtrpcFrameHeader.Size];
        buffer.Slice(0, TtrpcFrameHeader.Size).CopyTo(headerBytes);
        header = TtrpcFrameHeader.Read(headerBytes);

        if (header.Length > MaxMessageLength)
        {
            buffer = buffer.Slice(TtrpcFrameHeader.Size);
            _discardRemaining = header.Length;
            var skip = Math.Min(_discardRemaining, buffer.Length);
            buffer = buffer.Slice(skip);
            _discardRemaining -= skip;
            return TtrpcParseStatus.Oversized;
        }

        if (buffer.Length - TtrpcFrameHeader.Size < header.Length)
        {
            return TtrpcParseStatus.NeedMoreData;
        }

        body = buffer.Slice(TtrpcFrameHeader.Size, header.Length);
        buffer = buffer.Slice(TtrpcFrameHeader.Size + header.Length);
        return TtrpcParseStatus.Frame;
    }
}
