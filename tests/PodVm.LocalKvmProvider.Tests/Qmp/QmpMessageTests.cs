using System.Buffers;
using System.Text;
using PodVm.LocalKvmProvider.Qmp;

namespace PodVm.LocalKvmProvider.Tests.Qmp;

public sealed class QmpMessageTests
{
    [Fact]
    public void Parse_Greeting_IsGreeting()
    {
        var message = QmpMessage.Parse("""{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}}, "capabilities": ["oob"]}}"""u8);
        Assert.Equal(QmpMessageKind.Greeting, message.Kind);
        Assert.Equal(7, message.Payload.GetProperty("version").GetProperty("qemu").GetProperty("major").GetInt32());
    }

    [Fact]
    public void Parse_ReturnWithId_CarriesIdAndValue()
    {
        var message = QmpMessage.Parse("""{"return": {"status": "running", "running": true}, "id": "podvm-2"}"""u8);
        Assert.Equal(QmpMessageKind.Return, message.Kind);
        Assert.Equal("podvm-2", message.Id);
        Assert.Equal("running", message.Payload.GetProperty("status").GetString());
    }

    [Fact]
    public void Parse_Error_CarriesClassAndDescription()
    {
        var message = QmpMessage.Parse("""{"id": "podvm-3", "error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}}"""u8);
        Assert.Equal(QmpMessageKind.Error, message.Kind);
        Assert.Equal(("CommandNotFound", "The command nope has not been found"), (message.ErrorClass, message.ErrorDescription));
    }

    [Theory]
    [InlineData("""{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}}""", "SHUTDOWN")]
    [InlineData("""{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"}""", "STOP")]
    public void Parse_Event_CarriesName(string json, string name)
    {
        var message = QmpMessage.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(QmpMessageKind.Event, message.Kind);
        Assert.Equal(name, message.EventName);
    }

    [Theory]
    [InlineData("{\"return\": ")]
    [InlineData("[1,2]")]
    [InlineData("{\"what\": 1}")]
    [InlineData("\u0000garbage")]
    public void Parse_Malformed_ThrowsQmpException(string json)
    {
        Assert.Throws<QmpException>(() => QmpMessage.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void TryReadLine_SplitAcrossSegments_ReassemblesLines()
    {
        var first = new Segment("{\"return\": {}, \"id\""u8.ToArray());
        var last = first.Append(": \"a\"}\r\n{\"event\""u8.ToArray());
        var buffer = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);

        Assert.True(QmpClient.TryReadLine(ref buffer, out var line));
        Assert.Equal("{\"return\": {}, \"id\": \"a\"}\r", Encoding.UTF8.GetString(line));
        Assert.False(QmpClient.TryReadLine(ref buffer, out _));
        Assert.Equal("{\"event\"", Encoding.UTF8.GetString(buffer));
    }

    [Fact]
    public void TryReadLine_OversizedWithoutNewline_Throws()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[QmpClient.MaxLineBytes + 1]);
        Assert.Throws<QmpException>(() => QmpClient.TryReadLine(ref buffer, out _));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data) => Memory = data;

        public Segment Append(byte[] data)
        {
            var next = new Segment(data) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
