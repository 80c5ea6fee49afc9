using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using PodVm.Protocols.Ttrpc;
using PodVm.Protocols.Ttrpc.Wire;

namespace PodVm.Protocols.Tests.Ttrpc;

/// <summary>
/// Blocking mode (<see cref="TtrpcClientOptions.BlockingReceiveThread"/>, <see cref="TtrpcServerOptions.BlockingReceiveThreads"/>):
/// a connection read by a thread of its own with blocking reads and written with blocking writes, as the adaptor's
/// proxy uses it. Same wire behaviour as the asynchronous pumps; closing wakes the blocked reader.
/// </summary>
public sealed class TtrpcBlockingModeTests
{
    private static readonly TtrpcClientOptions BlockingClient = new() { BlockingReceiveThread = true, ResumeOnReceivePump = true, WriteOnSenderThread = true };
    private static readonly TtrpcServerOptions BlockingServer = new() { BlockingReceiveThreads = true, WriteOnSenderThread = true };

    [Fact]
    public async Task ConnectAsync_BlockingReceiveThread_SocketStaysBlockingAfterCalls()
    {
        await using var server = await TestServer.StartAsync();
        server.Server.Fallback = (request, _) => ValueTask.FromResult(TtrpcRawResponse.Success(request.Payload));
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        TtrpcClient.ConnectBlocking(socket, new UnixDomainSocketEndPoint(server.SocketPath), CancellationToken.None);
        await using var client = new TtrpcClient(new NetworkStream(socket, ownsSocket: true), socket, BlockingClient);

        for (var i = 0; i < 20; i++)
        {
            var response = await client.CallRawAsync("grpc.AgentService", "Echo", new byte[] { (byte)i }, null, CancellationToken.None).DefaultTimeout();
            Assert.True(response.IsSuccess, response.Status?.Message);
            Assert.Equal(new byte[] { (byte)i }, response.Payload.ToArray());
        }

        Assert.False(IsNonBlocking(socket));
    }

    [Fact]
    public async Task CallRawAsync_BlockingClientLargeThenSmallResponses_AllArriveWhole()
    {
        await using var server = await TestServer.StartAsync();
        server.Server.Fallback = (request, _) => ValueTask.FromResult(TtrpcRawResponse.Success(new byte[BitConverter.ToInt32(request.Payload.Span)]));
        await using var client = await server.ConnectAsync(BlockingClient);

        // Past the 128 KiB receive buffer (it grows), past the 1 MiB it keeps (it shrinks back), then small again.
        foreach (var size in new[] { 10, 200_000, 3_000_000, 65_536, 1, 0 })
        {
            var response = await client.CallRawAsync("grpc.AgentService", "Read", BitConverter.GetBytes(size), null, CancellationToken.None).DefaultTimeout();
            Assert.True(response.IsSuccess, response.Status?.Message);
            Assert.Equal(size, response.Payload.Length);
        }
    }

    [Fact]
    public async Task RelayAsync_BlockingRelayManyConcurrentCalls_EachGetsItsOwnAnswer()
    {
        await using var backend = await TestServer.StartAsync();
        backend.Server.Fallback = ConcurrentRelayCalls.Reverse;
        await using var onward = await backend.ConnectAsync(BlockingClient);
        await using var relay = await TestServer.StartAsync(BlockingServer);
        relay.Server.Fallback = (request, ct) => new ValueTask<TtrpcRawResponse>(onward.RelayAsync(request, ct));
        await using var client = await relay.ConnectAsync();

        await ConcurrentRelayCalls.AssertEachGetsItsReversedPayloadAsync(
            client, 200, i => i % 3 == 0 ? 1 + (i * 97 % 4000) : 1 + (i * 331 % 131_072), new TtrpcCallOptions { Timeout = TimeSpan.FromSeconds(60) });
    }

    [Fact]
    public async Task RelayAsync_BlockingRelayErrorStatus_ReachesCallerUnchanged()
    {
        await using var backend = await TestServer.StartAsync();
        backend.Server.Fallback = (_, _) => ValueTask.FromResult(TtrpcRawResponse.Error(StatusCode.FailedPrecondition, "container not running"));
        await using var onward = await backend.ConnectAsync(BlockingClient);
        await using var relay = await TestServer.StartAsync(BlockingServer);
        relay.Server.Fallback = (request, ct) => new ValueTask<TtrpcRawResponse>(onward.RelayAsync(request, ct));
        await using var client = await relay.ConnectAsync();

        var response = await client.CallRawAsync("grpc.AgentService", "StartContainer", new byte[] { 1 }, null, CancellationToken.None).DefaultTimeout();

        Assert.Equal(StatusCode.FailedPrecondition, response.Code);
        Assert.Equal("container not running", response.Status?.Message);
    }

    [Fact]
    public async Task CallRawAsync_BlockingClientMalformedResponse_FailsThatCallOnlyWithInternal()
    {
        await using var backend = new RawTtrpcListener();
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(backend.SocketPath), BlockingClient);
        await using var agent = await backend.AcceptAsync();

        var (failed, answered) = await MalformedResponseCalls.BadThenGoodAsync(client, agent);

        Assert.Equal(StatusCode.Internal, failed.Code);
        Assert.True(answered.IsSuccess);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Server_BlockingModeOversizedAndMalformedRequests_AnsweredAndConnectionKeepsServing()
    {
        await using var relay = await TestServer.StartAsync(BlockingServer with { MaxMessageLength = 1024 });
        relay.Server.Fallback = (request, _) => ValueTask.FromResult(TtrpcRawResponse.Success(request.Payload));
        await using var shim = await RawTtrpcSocket.ConnectAsync(relay.SocketPath);

        await shim.SendAsync(RawTtrpcSocket.Frame(1, 1, 0, new byte[5000]));
        var oversized = await shim.ReadFrameAsync();
        await shim.SendAsync(RawTtrpcSocket.Frame(3, 1, 0, [0x0A, 0x50, 0x41]));
        var malformed = await shim.ReadFrameAsync();
        await shim.SendAsync(RawTtrpcSocket.Frame(5, 1, 0, new Request { Service = "s", Method = "m", Payload = ByteString.CopyFromUtf8("echo") }.ToByteArray()));
        var answered = await shim.ReadFrameAsync();

        Assert.Equal((int)StatusCode.ResourceExhausted, Response.Parser.ParseFrom(oversized.Data).Status.Code);
        Assert.Equal((int)StatusCode.InvalidArgument, Response.Parser.ParseFrom(malformed.Data).Status.Code);
        Assert.Equal(5u, answered.StreamId);
        Assert.Equal("echo", Response.Parser.ParseFrom(answered.Data).Payload.ToStringUtf8());
    }

    [Fact]
    public async Task StopAsync_BlockingServerWithIdleConnection_WakesTheReaderAndCompletes()
    {
        var relay = await TestServer.StartAsync(BlockingServer);
        relay.Server.Fallback = (request, _) => ValueTask.FromResult(TtrpcRawResponse.Success(request.Payload));
        await using var client = await relay.ConnectAsync();
        var response = await client.CallRawAsync("s", "m", new byte[] { 1 }, null, CancellationToken.None).DefaultTimeout();

        // The connection stays open and idle: its server thread sits in a blocking read that stopping must end.
        await relay.DisposeAsync().AsTask().DefaultTimeout();
        await client.Completion.DefaultTimeout();

        Assert.True(response.IsSuccess);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task DisposeAsync_BlockingClientWithPendingCall_FailsItUnavailableAndCompletes()
    {
        await using var backend = new RawTtrpcListener();
        var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(backend.SocketPath), BlockingClient);
        await using var agent = await backend.AcceptAsync();
        var pending = client.CallRawAsync("grpc.AgentService", "WaitProcess", new byte[] { 1 }, null, CancellationToken.None);
        await agent.ReadFrameAsync();

        await client.DisposeAsync().AsTask().DefaultTimeout();
        var response = await pending.DefaultTimeout();

        Assert.Equal(StatusCode.Unavailable, response.Code);
    }

    [Fact]
    public async Task CallRawAsync_BlockingClientPeerGoesAway_PendingCallFailsUnavailable()
    {
        var backend = new RawTtrpcListener();
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(backend.SocketPath), BlockingClient);
        var agent = await backend.AcceptAsync();
        var pending = client.CallRawAsync("grpc.AgentService", "GetOOMEvent", new byte[] { 1 }, null, CancellationToken.None);
        await agent.ReadFrameAsync();

        await agent.DisposeAsync();
        await backend.DisposeAsync();
        var response = await pending.DefaultTimeout();
        await client.Completion.DefaultTimeout();

        Assert.Equal(StatusCode.Unavailable, response.Code);
        Assert.False(client.IsConnected);
    }

    // O_NONBLOCK (04000 octal) in the "flags:" line of /proc/self/fdinfo/<fd>.
    private static bool IsNonBlocking(Socket socket)
    {
        var fd = socket.SafeHandle.DangerousGetHandle().ToInt32();
        var flags = File.ReadAllLines($"/proc/self/fdinfo/{fd}").First(l => l.StartsWith("flags:", StringComparison.Ordinal))["flags:".Length..].Trim();
        return (Convert.ToInt32(flags, 8) & 0x800) != 0;
    }
}
