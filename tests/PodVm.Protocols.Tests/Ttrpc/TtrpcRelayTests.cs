using Grpc.Core;
using PodVm.Protocols.Ttrpc;

namespace PodVm.Protocols.Tests.Ttrpc;

/// <summary>
/// A relay built the way the adaptor's proxy and the forwarder build theirs: a server whose Fallback runs on the
/// receive pump and writes on the sender's thread, relaying over a client that resumes on its receive pump.
/// </summary>
public sealed class TtrpcRelayTests
{
    [Fact]
    public async Task Relay_InlineOptions_ManyConcurrentCallsEachGetTheirOwnAnswer()
    {
        await using var backend = await TestServer.StartAsync();
        backend.Server.Fallback = ConcurrentRelayCalls.Reverse;
        await using var onward = await backend.ConnectAsync(new TtrpcClientOptions { ResumeOnReceivePump = true });
        await using var relay = await TestServer.StartAsync(new TtrpcServerOptions { WriteOnSenderThread = true });
        relay.Server.Fallback = (request, ct) => new ValueTask<TtrpcRawResponse>(
            onward.CallRawAsync(request.Service, request.Method, request.Payload, new TtrpcCallOptions { ForwardedTimeoutNano = request.TimeoutNano }, ct));
        await using var client = await relay.ConnectAsync();

        await ConcurrentRelayCalls.AssertEachGetsItsReversedPayloadAsync(client, 200, i => 1 + (i * 331 % 70_000));
    }

    [Fact]
    public async Task Relay_InlineOptions_BackendGoneFailsPendingCallsWithUnavailable()
    {
        var backend = await TestServer.StartAsync();
        var release = new TaskCompletionSource<TtrpcRawResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        backend.Server.Fallback = (_, _) => new ValueTask<TtrpcRawResponse>(release.Task);
        var onward = await backend.ConnectAsync(new TtrpcClientOptions { ResumeOnReceivePump = true });
        await using var relay = await TestServer.StartAsync(new TtrpcServerOptions { WriteOnSenderThread = true });
        relay.Server.Fallback = (request, ct) => new ValueTask<TtrpcRawResponse>(
            onward.CallRawAsync(request.Service, request.Method, request.Payload, null, ct));
        await using var client = await relay.ConnectAsync();

        var pending = client.CallRawAsync("grpc.AgentService", "WaitProcess", ReadOnlyMemory<byte>.Empty, null, CancellationToken.None);
        await WaitUntilAsync(() => backend.Server.CallsInFlight == 1);
        await onward.DisposeAsync();
        var response = await pending.DefaultTimeout();
        release.SetResult(TtrpcRawResponse.Success(ReadOnlyMemory<byte>.Empty));
        await backend.DisposeAsync();

        Assert.Equal(StatusCode.Unavailable, response.Code);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
