using System.Text;
using PodVm.Protocols.Ttrpc.Wire;

namespace PodVm.Protocols.Tests.Ttrpc;

/// <summary>Our server against the bytes Debian's Go ttrpc client put on the wire (reference/wire-protocols.md 1.5).</summary>
public sealed class TtrpcServerGoldenTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private RawTtrpcSocket _socket = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _socket = await RawTtrpcSocket.ConnectAsync(_server.SocketPath);
    }

    public async ValueTask DisposeAsync()
    {
        await _socket.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Version_GoldenRequest_AnswersGoldenResponseBytes()
    {
        await _socket.SendAsync(Hex.Golden("00000030 00000001 01 00 0a15 \"hypervisor.Hypervisor\" 1207 \"Version\" 1a08 0a06 \"client\" 20 8e9d96d012"));

        var frame = await _socket.ReadFrameAsync();

        Assert.Equal(1u, frame.StreamId);
        Assert.Equal(2, frame.Type);
        Assert.Equal(0, frame.Flags);
        Assert.Equal(Hex.Golden("120d 0a0b \"0.0.0-probe\""), frame.Data);
        Assert.InRange(_server.Hypervisor.LastDeadline - DateTime.UtcNow, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task CreateVM_GoldenRequestWithMapField_DecodesAnnotations()
    {
        await _socket.SendAsync(Hex.Golden(
            "00000065 00000003 01 00 0a15 \"hypervisor.Hypervisor\" 1208 \"CreateVM\" " +
            "1a3c 0a03 \"sb1\" 1223 0a1e \"io.kubernetes.cri.sandbox-name\" 1201 \"p\" 1a10 \"/var/run/netns/x\" 20 f9abe1cf12"));

        var frame = await _socket.ReadFrameAsync();

        Assert.Equal(3u, frame.StreamId);
        var response = Response.Parser.ParseFrom(frame.Data);
        Assert.Null(response.Status);
        Assert.Equal("sb1", _server.Hypervisor.LastCreate!.Id);
        Assert.Equal("p", _server.Hypervisor.LastCreate.Annotations["io.kubernetes.cri.sandbox-name"]);
        Assert.Equal("/var/run/netns/x", _server.Hypervisor.LastCreate.NetworkNamespacePath);
    }

    [Fact]
    public async Task StartVM_EmptyResponse_IsAZeroLengthFrame()
    {
        await _socket.SendAsync(Request(5, "hypervisor.Hypervisor", "StartVM", Hex.Golden("0a03 \"sb1\"")));

        var frame = await _socket.ReadFrameAsync();

        Assert.Equal((5u, (byte)2, (byte)0), (frame.StreamId, frame.Type, frame.Flags));
        Assert.Empty(frame.Data);
    }

    [Fact]
    public async Task StopVM_HandlerNotFound_AnswersGoldenErrorStatus()
    {
        await _socket.SendAsync(Request(7, "hypervisor.Hypervisor", "StopVM", Hex.Golden("0a04 \"nope\"")));

        var frame = await _socket.ReadFrameAsync();

        Assert.Equal(Hex.Golden("0a1f 0805 121b \"sandbox nope does not exist\""), frame.Data);
    }

    [Fact]
    public async Task UnknownMethod_AnswersUnimplementedMethodName()
    {
        await _socket.SendAsync(Request(9, "hypervisor.Hypervisor", "Bogus", []));

        var frame = await _socket.ReadFrameAsync();

        Assert.Equal(Hex.Golden("0a10 080c 120c \"method Bogus\""), frame.Data);
    }

    [Fact]
    public async Task UnknownService_AnswersUnimplementedServiceName()
    {
        await _socket.SendAsync(Request(11, "no.Such", "Thing", []));

        var frame = await _socket.ReadFrameAsync();

        Assert.Equal(Hex.Golden("0a13 080c 120f \"service no.Such\""), frame.Data);
    }

    [Fact]
    public async Task EvenStreamId_AnswersInvalidArgumentOnThatId_AndKeepsServing()
    {
        await _socket.SendAsync(Request(2, "hypervisor.Hypervisor", "Version", []));
        var rejected = await _socket.ReadFrameAsync();
        await _socket.SendAsync(Request(3, "hypervisor.Hypervisor", "Version", []));
        var served = await _socket.ReadFrameAsync();

        Assert.Equal(2u, rejected.StreamId);
        Assert.Equal(Hex.Golden("0a35 0803 1231 \"StreamID must be odd for client initiated streams\""), rejected.Data);
        Assert.Equal(Hex.Golden("120d 0a0b \"0.0.0-probe\""), served.Data);
    }

    [Fact]
    public async Task ReusedStreamId_AnswersInvalidArgument()
    {
        await _socket.SendAsync(Request(5, "hypervisor.Hypervisor", "Version", []));
        await _socket.ReadFrameAsync();
        await _socket.SendAsync(Request(5, "hypervisor.Hypervisor", "Version", []));
        var rejected = await _socket.ReadFrameAsync();

        var status = Response.Parser.ParseFrom(rejected.Data).Status;
        Assert.Equal(3, status.Code);
        Assert.Equal("StreamID cannot be re-used and must increment", status.Message);
    }

    [Fact]
    public async Task GarbageRequestBody_AnswersInvalidArgument_AndKeepsServing()
    {
        await _socket.SendAsync(RawTtrpcSocket.Frame(1, 1, 0, [0x0a, 0x50, 0x01]));
        var rejected = await _socket.ReadFrameAsync();
        await _socket.SendAsync(Request(3, "hypervisor.Hypervisor", "Version", []));
        var served = await _socket.ReadFrameAsync();

        var status = Response.Parser.ParseFrom(rejected.Data).Status;
        Assert.Equal(3, status.Code);
        Assert.StartsWith("unmarshal request error", status.Message, StringComparison.Ordinal);
        Assert.Equal(3u, served.StreamId);
    }

    [Fact]
    public async Task UndecodableMethodPayload_AnswersInvalidArgument()
    {
        await _socket.SendAsync(Request(1, "hypervisor.Hypervisor", "CreateVM", [0x0a, 0x7f]));

        var frame = await _socket.ReadFrameAsync();

        var status = Response.Parser.ParseFrom(frame.Data).Status;
        Assert.Equal(3, status.Code);
        Assert.StartsWith("unmarshal request error", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedFrame_AnswersResourceExhausted_AndTheConnectionStaysUsable()
    {
        const int length = (4 << 20) + 1;
        var header = Hex.Golden("00400001 00000001 01 00");
        await _socket.SendAsync(header);
        var chunk = new byte[64 * 1024];
        for (var sent = 0; sent < length; sent += chunk.Length)
        {
            await _socket.Stream.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, length - sent)));
        }

        var rejected = await _socket.ReadFrameAsync();
        await _socket.SendAsync(Request(3, "hypervisor.Hypervisor", "Version", []));
        var served = await _socket.ReadFrameAsync();

        var status = Response.Parser.ParseFrom(rejected.Data).Status;
        Assert.Equal(1u, rejected.StreamId);
        Assert.Equal(8, status.Code);
        Assert.Equal($"message length {length} exceed maximum message size of {4 << 20}", status.Message);
        Assert.Equal(Hex.Golden("120d 0a0b \"0.0.0-probe\""), served.Data);
    }

    [Fact]
    public async Task DataFrameForUnknownStream_IsIgnored()
    {
        await _socket.SendAsync(RawTtrpcSocket.Frame(41, 3, 0, Encoding.ASCII.GetBytes("junk")));
        await _socket.SendAsync(Request(43, "hypervisor.Hypervisor", "Version", []));

        var served = await _socket.ReadFrameAsync();

        Assert.Equal(43u, served.StreamId);
    }

    internal static byte[] Request(uint streamId, string service, string method, byte[] payload)
    {
        var request = new Request { Service = service, Method = method, Payload = Google.Protobuf.ByteString.CopyFrom(payload) };
        return RawTtrpcSocket.Frame(streamId, 1, 0, Google.Protobuf.MessageExtensions.ToByteArray(request));
    }
}
