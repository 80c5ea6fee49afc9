using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using PodVm.Protocols.Hypervisor;
using PodVm.Protocols.Ttrpc;
using PodVm.Protocols.Ttrpc.Wire;
using HypervisorService = PodVm.Protocols.Hypervisor.Hypervisor;

namespace PodVm.Protocols.Tests.Ttrpc;

public sealed class TtrpcClientTests
{
    [Fact]
    public async Task CallAsync_RustStyleSuccessWithStatusOk_IsAccepted()
    {
        await using var listener = new RawTtrpcListener();
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(listener.SocketPath));
        await using var peer = await listener.AcceptAsync();
        var hypervisor = new HypervisorService.HypervisorClient(client.CreateCallInvoker());

        var call = hypervisor.VersionAsync(new VersionRequest { Version = "c" }).ResponseAsync;
        var request = await peer.ReadFrameAsync();
        await peer.SendAsync(RawTtrpcSocket.Frame(request.StreamId, 2, 0, Hex.Golden("0a00 120d 0a0b \"0.0.0-probe\"")));

        Assert.Equal("0.0.0-probe", (await call.DefaultTimeout()).Version);
    }

    [Fact]
    public async Task CallAsync_GoStyleSuccessWithoutStatus_IsAccepted()
    {
        await using var listener = new RawTtrpcListener();
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(listener.SocketPath));
        await using var peer = await listener.AcceptAsync();
        var hypervisor = new HypervisorService.HypervisorClient(client.CreateCallInvoker());

        var call = hypervisor.StartVMAsync(new StartVMRequest { Id = "sb1" }).ResponseAsync;
        var request = await peer.ReadFrameAsync();
        await peer.SendAsync(RawTtrpcSocket.Frame(request.StreamId, 2, 0, []));

        Assert.NotNull(await call.DefaultTimeout());
    }

    [Fact]
    public async Task CallAsync_ErrorStatus_ThrowsRpcExceptionWithCodeAndMessage()
    {
        await using var listener = new RawTtrpcListener();
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(listener.SocketPath));
        await using var peer = await listener.AcceptAsync();
        var hypervisor = new HypervisorService.HypervisorClient(client.CreateCallInvoker());

        var call = hypervisor.StopVMAsync(new StopVMRequest { Id = "nope" }).ResponseAsync;
        var request = await peer.ReadFrameAsync();
        await peer.SendAsync(RawTtrpcSocket.Frame(request.StreamId, 2, 0, Hex.Golden("0a1f 0805 121b \"sandbox nope does not exist\"")));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.DefaultTimeout());
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("sandbox nope does not exist", error.Status.Detail);
    }

    [Fact]
    public async Task CallAsync_ThousandConcurrentCalls_MatchesResponsesAnsweredInReverseOrder()
    {
        const int calls = 1000;
        await using var listener = new RawTtrpcListener();
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(listener.SocketPath));
        await using var peer = await listener.AcceptAsync();
        var hypervisor = new HypervisorService.HypervisorClient(client.CreateCallInvoker());

        var pending = Enumerable.Range(0, calls).Select(i => hypervisor.VersionAsync(new VersionRequest { Version = $"v{i}" }).ResponseAsync).ToArray();
        var requests = new List<(uint StreamId, string Version)>();
        for (var i = 0; i < calls; i++)
        {
            var frame = await peer.ReadFrameAsync();
            var request = Request.Parser.ParseFrom(frame.Data);
            requests.Add((frame.StreamId, VersionRequest.Parser.ParseFrom(request.Payload).Version));
        }

        // Ids are odd and strictly increasing, as the protocol requires.
        Assert.Equal(Enumerable.Range(0, calls).Select(i => (uint)(2 * i + 1)), requests.Select(r => r.StreamId));
        foreach (var (streamId, version) in Enumerable.Reverse(requests))
        {
            var response = new Response { Payload = new VersionResponse { Version = "echo-" + version }.ToByteString() };
            await peer.Stream.WriteAsync(RawTtrpcSocket.Frame(streamId, 2, 0, response.ToByteArray()));
        }

        var results = await Task.WhenAll(pending).DefaultTimeout();
        Assert.Equal(Enumerable.Range(0, calls).Select(i => $"echo-v{i}"), results.Select(r => r.Version));
    }

    [Fact]
    public async Task CallAsync_DeadlineAndMetadata_AreSentAsTimeoutNanoAndKeyValues()
    {
        await using var listener = new RawTtrpcListener();
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(listener.SocketPath), new TtrpcClientOptions { TimeProvider = clock });
        await using var peer = await listener.AcceptAsync();
        var hypervisor = new HypervisorService.HypervisorClient(client.CreateCallInvoker());
        var headers = new Metadata { { "containerd-namespace-ttrpc", "k8s.io" }, { "traceparent", "00-abc-01" } };

        var call = hypervisor.VersionAsync(new VersionRequest(), headers, deadline: clock.GetUtcNow().UtcDateTime.AddSeconds(5)).ResponseAsync;
        var request = Request.Parser.ParseFrom((await peer.ReadFrameAsync()).Data);

        Assert.Equal(5_000_000_000L, request.TimeoutNano);
        Assert.Equal(new[] { ("containerd-namespace-ttrpc", "k8s.io"), ("traceparent", "00-abc-01") }, request.Metadata.Select(kv => (kv.Key, kv.Value)));

        // Nobody answers: the deadline passes on the fake clock and the call fails locally.
        clock.Advance(TimeSpan.FromSeconds(5));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.DefaultTimeout());
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task CallAsync_NoDeadline_SendsNoTimeout()
    {
        await using var listener = new RawTtrpcListener();
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(listener.SocketPath));
        await using var peer = await listener.AcceptAsync();

        _ = client.CallRawAsync("grpc.AgentService", "WaitProcess", ReadOnlyMemory<byte>.Empty, null, CancellationToken.None);
        var request = Request.Parser.ParseFrom((await peer.ReadFrameAsync()).Data);

        Assert.Equal(0, request.TimeoutNano);
    }

    [Fact]
    public async Task CallAsync_Cancelled_FailsWithCancelledAndOtherCallsContinue()
    {
        await using var listener = new RawTtrpcListener();
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(listener.SocketPath));
        await using var peer = await listener.AcceptAsync();
        var hypervisor = new HypervisorService.HypervisorClient(client.CreateCallInvoker());
        using var cts = new CancellationTokenSource();

        var cancelled = hypervisor.StartVMAsync(new StartVMRequest { Id = "a" }, cancellationToken: cts.Token).ResponseAsync;
        var other = hypervisor.VersionAsync(new VersionRequest()).ResponseAsync;
        var first = await peer.ReadFrameAsync();
        var second = await peer.ReadFrameAsync();
        await cts.CancelAsync();
        await peer.SendAsync(RawTtrpcSocket.Frame(first.StreamId, 2, 0, []));
        await peer.SendAsync(RawTtrpcSocket.Frame(second.StreamId, 2, 0, Hex.Golden("120d 0a0b \"0.0.0-probe\"")));

        var error = await Assert.ThrowsAsync<RpcException>(() => cancelled.DefaultTimeout());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal("0.0.0-probe", (await other.DefaultTimeout()).Version);
    }

    [Fact]
    public async Task CallAsync_ConnectionLost_FailsEveryPendingCallWithTtrpcClosed()
    {
        await using var listener = new RawTtrpcListener();
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(listener.SocketPath));
        var peer = await listener.AcceptAsync();
        var hypervisor = new HypervisorService.HypervisorClient(client.CreateCallInvoker());

        var pending = Enumerable.Range(0, 10).Select(_ => hypervisor.StartVMAsync(new StartVMRequest()).ResponseAsync).ToArray();
        for (var i = 0; i < 10; i++)
        {
            await peer.ReadFrameAsync();
        }

        await peer.DisposeAsync();

        foreach (var call in pending)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => call.DefaultTimeout());
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            Assert.Equal("ttrpc: closed", error.Status.Detail);
        }

        var after = await Assert.ThrowsAsync<RpcException>(() => hypervisor.VersionAsync(new VersionRequest()).ResponseAsync.DefaultTimeout());
        Assert.Equal("ttrpc: closed", after.Status.Detail);
    }

    [Fact]
    public async Task CallRawAsync_OversizedRequest_FailsLocallyWithResourceExhausted()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var response = await client.CallRawAsync("hypervisor.Hypervisor", "Version", new byte[(4 << 20) + 1], null, CancellationToken.None).DefaultTimeout();

        Assert.Equal(StatusCode.ResourceExhausted, response.Code);
    }

    [Fact]
    public async Task ConnectAsync_NoListener_FailsWithUnavailableNamingTheEndpoint()
    {
        var path = Path.Combine(Path.GetTempPath(), $"podvm-missing-{Guid.NewGuid():N}.sock");

        var error = await Assert.ThrowsAsync<RpcException>(() => TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(path)).DefaultTimeout());

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains(path, error.Status.Detail, StringComparison.Ordinal);
    }
}
