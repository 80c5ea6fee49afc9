using System.Buffers;
using PodVm.Protocols.Ttrpc;

namespace PodVm.Protocols.Tests.Ttrpc;

public sealed class TtrpcFrameParserTests
{
    private static readonly byte[] VersionResponse = Hex.Golden("0000000f 00000001 02 00 120d 0a0b \"0.0.0-probe\"");

    [Fact]
    public void TryRead_GoldenVersionResponse_ParsesHeaderAndBody()
    {
        var parser = new TtrpcFrameParser();
        var buffer = new ReadOnlySequence<byte>(VersionResponse);

        var status = parser.TryRead(ref buffer, out var header, out var body);

        Assert.Equal(TtrpcParseStatus.Frame, status);
        Assert.Equal(new TtrpcFrameHeader(15, 1, TtrpcMessageType.Response, TtrpcFrameFlags.None), header);
        Assert.Equal(VersionResponse[10..], body.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryRead_EmptySuccessFrame_HasZeroLengthBody()
    {
        var parser = new TtrpcFrameParser();
        var buffer = new ReadOnlySequence<byte>(Hex.Golden("00000000 00000005 02 00"));

        Assert.Equal(TtrpcParseStatus.Frame, parser.TryRead(ref buffer, out var header, out var body));
        Assert.Equal(5u, header.StreamId);
        Assert.True(body.IsEmpty);
    }

    [Fact]
    public void TryRead_OneByteAtATime_NeedsMoreDataUntilTheLastByte()
    {
        var parser = new TtrpcFrameParser();
        for (var length = 0; length < VersionResponse.Length; length++)
        {
            var partial = new ReadOnlySequence<byte>(VersionResponse, 0, length);
            Assert.Equal(TtrpcParseStatus.NeedMoreData, parser.TryRead(ref partial, out _, out _));
            Assert.Equal(length, partial.Length);
        }

        var whole = new ReadOnlySequence<byte>(VersionResponse);
        Assert.Equal(TtrpcParseStatus.Frame, parser.TryRead(ref whole, out _, out _));
    }

    [Fact]
    public void TryRead_FrameSplitAcrossSegments_ParsesBody()
    {
        var parser = new TtrpcFrameParser();
        var buffer = Segmented(VersionResponse, 3, 9, 12);

        Assert.Equal(TtrpcParseStatus.Frame, parser.TryRead(ref buffer, out _, out var body));
        Assert.Equal(VersionResponse[10..], body.ToArray());
    }

    [Fact]
    public void TryRead_CoalescedFrames_ReturnsEachInOrder()
    {
        var parser = new TtrpcFrameParser();
        var empty = Hex.Golden("00000000 00000003 02 00");
        var buffer = new ReadOnlySequence<byte>([.. VersionResponse, .. empty, .. VersionResponse[..4]]);

        Assert.Equal(TtrpcParseStatus.Frame, parser.TryRead(ref buffer, out var first, out _));
        Assert.Equal(TtrpcParseStatus.Frame, parser.TryRead(ref buffer, out var second, out _));
        Assert.Equal(TtrpcParseStatus.NeedMoreData, parser.TryRead(ref buffer, out _, out _));
        Assert.Equal(1u, first.StreamId);
        Assert.Equal(3u, second.StreamId);
        Assert.Equal(4, buffer.Length);
    }

    [Fact]
    public void TryRead_OversizedFrame_ReportsOnceAndSkipsBodyAcrossReads()
    {
        var parser = new TtrpcFrameParser(maxMessageLength: 16);
        var oversizedHeader = Hex.Golden("00000020 00000007 01 00");
        var buffer = new ReadOnlySequence<byte>([.. oversizedHeader, .. new byte[10]]);

        Assert.Equal(TtrpcParseStatus.Oversized, parser.TryRead(ref buffer, out var header, out _));
        Assert.Equal(7u, header.StreamId);
        Assert.Equal(32u, header.Length);
        Assert.True(buffer.IsEmpty);

        // The remaining 22 body bytes arrive together with the next (valid) frame.
        var rest = new ReadOnlySequence<byte>([.. new byte[22], .. Hex.Golden("00000000 00000009 02 00")]);
        Assert.Equal(TtrpcParseStatus.Frame, parser.TryRead(ref rest, out var next, out _));
        Assert.Equal(9u, next.StreamId);
    }

    [Fact]
    public void TryRead_HeaderAtExactlyTheLimit_IsAFrame()
    {
        var parser = new TtrpcFrameParser(maxMessageLength: 4);
        var buffer = new ReadOnlySequence<byte>(Hex.Golden("00000004 00000001 02 00 01020304"));

        Assert.Equal(TtrpcParseStatus.Frame, parser.TryRead(ref buffer, out _, out var body));
        Assert.Equal(4, body.Length);
    }

    [Fact]
    public void Write_Header_IsBigEndian()
    {
        var bytes = new byte[10];
        new TtrpcFrameHeader(0x30, 1, TtrpcMessageType.Request, TtrpcFrameFlags.None).Write(bytes);
        Assert.Equal(Hex.Golden("00000030 00000001 01 00"), bytes);
    }

    private static ReadOnlySequence<byte> Segmented(byte[] data, params int[] cuts)
    {
        var segments = new List<byte[]>();
        var start = 0;
        foreach (var cut in cuts.Append(data.Length))
        {
            segments.Add(data[start..cut]);
            start = cut;
        }

        var first = new Segment(segments[0], 0);
        var last = first;
        foreach (var s in segments.Skip(1))
        {
            last = last.Append(s);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
