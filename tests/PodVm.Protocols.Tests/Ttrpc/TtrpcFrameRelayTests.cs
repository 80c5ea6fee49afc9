using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PodVm.Protocols.Ttrpc;
using PodVm.Protocols.Ttrpc.Wire;
using WireStatus = PodVm.Protocols.Ttrpc.Wire.Status;

namespace PodVm.Protocols.Tests.Ttrpc;

/// <summary>
/// The frame-level relay (<see cref="TtrpcClient.RelayAsync"/> in a server's Fallback, as the adaptor's proxy and
/// the forwarder use it): request and response bodies pass byte for byte, only stream ids change, and a malformed
/// frame from either side fails that call alone.
/// </summary>
public sealed class TtrpcFrameRelayTests
{
    [Fact]
    public async Task RelayAsync_RequestAndResponseBodies_PassByteForByteUnderNewStreamIds()
    {
        await using var backend = new RawTtrpcListener();
        await using var relay = await TestServer.StartAsync(new TtrpcServerOptions { WriteOnSenderThread = true });
        await using var onward = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(backend.SocketPath), new TtrpcClientOptions { ResumeOnReceivePump = true, WriteOnSenderThread = true });
        await using var agent = await backend.AcceptAsync();
        relay.Server.Fallback = (request, ct) => new ValueTask<TtrpcRawResponse>(onward.RelayAsync(request, ct));
        await using var shim = await RawTtrpcSocket.ConnectAsync(relay.SocketPath);

        // A request with a deadline, metadata and a field this version does not know (field 15).
        var request = new Request { Service = "grpc.AgentService", Method = "ExecProcess", Payload = ByteString.CopyFrom(1, 2, 3), TimeoutNano = 7_000_000_000 };
        request.Metadata.Add(new KeyValue { Key = "traceparent", Value = "00-abc" });
        var requestBody = request.ToByteArray().Concat(new byte[] { 0x78, 0x2A }).ToArray();
        await shim.SendAsync(RawTtrpcSocket.Frame(5, 1, 0, requestBody));

        var relayed = await agent.ReadFrameAsync();
        Assert.Equal(1u, relayed.StreamId);
        Assert.Equal(1, relayed.Type);
        Assert.Equal(requestBody, relayed.Data);

        // An error with details, a payload, and an unknown field: all of it reaches the shim unchanged.
        var status = new WireStatus { Code = (int)StatusCode.FailedPrecondition, Message = "container not running" };
        status.Details.Add(Any.Pack(new StringValue { Value = "detail" }));
        var responseBody = new Response { Status = status, Payload = ByteString.CopyFrom(new byte[20_000]) }.ToByteArray().Concat(new byte[] { 0x78, 0x01 }).ToArray();
        await agent.SendAsync(RawTtrpcSocket.Frame(relayed.StreamId, 2, 0, responseBody));

        var answer = await shim.ReadFrameAsync();
        Assert.Equal(5u, answer.StreamId);
        Assert.Equal(2, answer.Type);
        Assert.Equal(responseBody, answer.Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RelayAsync_CallersTimeoutRunsOutBeforeTheBackendAnswers_DeadlineExceededAsTheBackendWouldSay(bool reencoded)
    {
        // The backend takes the call and never answers: the relay's server cancels the call when the caller's
        // timeout runs out, and the caller must hear DeadlineExceeded (what kata-agent answers), not Cancelled.
        await using var backend = new RawTtrpcListener();
        await using var relay = await TestServer.StartAsync(new TtrpcServerOptions { WriteOnSenderThread = true });
        await using var onward = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(backend.SocketPath), new TtrpcClientOptions { ResumeOnReceivePump = true, WriteOnSenderThread = true });
        await using var agent = await backend.AcceptAsync();
        relay.Server.Fallback = (request, ct) => new ValueTask<TtrpcRawResponse>(onward.RelayAsync(reencoded ? request with { Metadata = [] } : request, ct));
        await using var shim = await RawTtrpcSocket.ConnectAsync(relay.SocketPath);

        var request = new Request { Service = "grpc.AgentService", Method = "WaitProcess", Payload = ByteString.CopyFrom(1), TimeoutNano = 300_000_000 };
        await shim.SendAsync(RawTtrpcSocket.Frame(7, 1, 0, request.ToByteArray()));
        var relayed = await agent.ReadFrameAsync();
        var answer = await shim.ReadFrameAsync();

        Assert.Equal(300_000_000, Request.Parser.ParseFrom(relayed.Data).TimeoutNano);
        Assert.Equal(7u, answer.StreamId);
        var status = Response.Parser.ParseFrom(answer.Data).Status;
        Assert.Equal((int)StatusCode.DeadlineExceeded, status.Code);
        Assert.Equal("context deadline exceeded", status.Message);
    }

    [Fact]
    public async Task RelayAsync_MalformedResponseFromBackend_FailsThatCallOnlyWithInternal()
    {
        await using var backend = new RawTtrpcListener();
        await using var relay = await TestServer.StartAsync(new TtrpcServerOptions { WriteOnSenderThread = true });
        await using var onward = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(backend.SocketPath), new TtrpcClientOptions { ResumeOnReceivePump = true, WriteOnSenderThread = true });
        await using var agent = await backend.AcceptAsync();
        relay.Server.Fallback = (request, ct) => new ValueTask<TtrpcRawResponse>(onward.RelayAsync(request, ct));
        await using var client = await relay.ConnectAsync();

        var (failed, answered) = await MalformedResponseCalls.BadThenGoodAsync(client, agent);

        Assert.Equal(StatusCode.Internal, failed.Code);
        Assert.StartsWith("malformed response frame", failed.Status?.Message, StringComparison.Ordinal);
        Assert.True(answered.IsSuccess);
        Assert.Equal("ok", System.Text.Encoding.UTF8.GetString(answered.Payload.Span));
        Assert.True(onward.IsConnected);
    }

    [Fact]
    public async Task RelayAsync_MalformedRequestFromCaller_AnsweredInvalidArgumentAndRelayKeepsServing()
    {
        await using var backend = await TestServer.StartAsync();
        backend.Server.Fallback = (request, _) => ValueTask.FromResult(TtrpcRawResponse.Success(request.Payload));
        await using var onward = await backend.ConnectAsync(new TtrpcClientOptions { ResumeOnReceivePump = true, WriteOnSenderThread = true });
        await using var relay = await TestServer.StartAsync(new TtrpcServerOptions { WriteOnSenderThread = true });
        relay.Server.Fallback = (request, ct) => new ValueTask<TtrpcRawResponse>(onward.RelayAsync(request, ct));
        await using var shim = await RawTtrpcSocket.ConnectAsync(relay.SocketPath);

        await shim.SendAsync(RawTtrpcSocket.Frame(1, 1, 0, [0x0A, 0x50, 0x41]));
        var rejected = await shim.ReadFrameAsync();
        var good = new Request { Service = "grpc.AgentService", Method = "ReadStdout", Payload = ByteString.CopyFromUtf8("echo") };
        await shim.SendAsync(RawTtrpcSocket.Frame(3, 1, 0, good.ToByteArray()));
        var answered = await shim.ReadFrameAsync();

        Assert.Equal(1u, rejected.StreamId);
        Assert.Equal((int)StatusCode.InvalidArgument, Response.Parser.ParseFrom(rejected.Data).Status.Code);
        Assert.Equal(3u, answered.StreamId);
        Assert.Equal("echo", Response.Parser.ParseFrom(answered.Data).Payload.ToStringUtf8());
    }

    [Fact]
    public async Task RelayAsync_ManyConcurrentLargeAndSmallCalls_EachGetsItsOwnAnswer()
    {
        await using var backend = await TestServer.StartAsync();
        backend.Server.Fallback = ConcurrentRelayCalls.Reverse;
        await using var onward = await backend.ConnectAsync(new TtrpcClientOptions { ResumeOnReceivePump = true, WriteOnSenderThread = true });
        await using var relay = await TestServer.StartAsync(new TtrpcServerOptions { WriteOnSenderThread = true });
        relay.Server.Fallback = (request, ct) => new ValueTask<TtrpcRawResponse>(onward.RelayAsync(request, ct));
        await using var client = await relay.ConnectAsync();

        // Sizes on both sides of the direct-write threshold (8 KiB), up to 128 KiB.
        await ConcurrentRelayCalls.AssertEachGetsItsReversedPayloadAsync(
            client, 200, i => i % 3 == 0 ? 1 + (i * 97 % 4000) : 1 + (i * 331 % 131_072), new TtrpcCallOptions { Timeout = TimeSpan.FromSeconds(60) });
    }

    [Fact]
    public async Task RelayAsync_ResponseChangedWithWith_SendsTheChangedResponseNotTheReceivedBytes()
    {
        await using var backend = await TestServer.StartAsync();
        backend.Server.Fallback = (_, _) => ValueTask.FromResult(TtrpcRawResponse.Success(new byte[] { 9 }));
        await using var onward = await backend.ConnectAsync(new TtrpcClientOptions { ResumeOnReceivePump = true, WriteOnSenderThread = true });
        await using var relay = await TestServer.StartAsync();
        relay.Server.Fallback = async (request, ct) =>
        {
            var response = await onward.RelayAsync(request with { Payload = new byte[] { 1 } }, ct);
            return response with { Status = new WireStatus { Code = (int)StatusCode.Aborted, Message = "changed" } };
        };
        await using var client = await relay.ConnectAsync();

        var response = await client.CallRawAsync("grpc.AgentService", "Any", new byte[] { 7 }, null, CancellationToken.None).DefaultTimeout();

        Assert.Equal(StatusCode.Aborted, response.Code);
        Assert.Equal("changed", response.Status?.Message);
        Assert.Equal(new byte[] { 9 }, response.Payload.ToArray());
    }

    [Fact]
    public async Task CallRawAsync_ResponseFieldsInAnyOrderRepeatedAndUnknown_DecodedAsProtobufDoes()
    {
        await using var listener = new RawTtrpcListener();
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(listener.SocketPath));
        await using var peer = await listener.AcceptAsync();

        var call = client.CallRawAsync("s", "m", ReadOnlyMemory<byte>.Empty, null, CancellationToken.None);
        var request = await peer.ReadFrameAsync();
        // payload "a", unknown varint field 9, status {code 5}, payload "bc" (last wins), status {message "x"} (merges), unknown fixed32 field 10.
        await peer.SendAsync(RawTtrpcSocket.Frame(request.StreamId, 2, 0, Hex.Golden("1201 \"a\" 4801 0a02 0805 1202 \"bc\" 0a03 1201 \"x\" 5501020304")));
        var response = await call.DefaultTimeout();

        Assert.Equal(StatusCode.NotFound, response.Code);
        Assert.Equal("x", response.Status?.Message);
        Assert.Equal("bc", System.Text.Encoding.UTF8.GetString(response.Payload.Span));
    }
}
