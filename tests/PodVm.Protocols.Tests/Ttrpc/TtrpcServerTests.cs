using Grpc.Core;
using PodVm.Protocols.Hypervisor;
using PodVm.Protocols.Tests.Streaming;
using PodVm.Protocols.Ttrpc;
using PodVm.Protocols.Ttrpc.Wire;
using HypervisorService = PodVm.Protocols.Hypervisor.Hypervisor;

namespace PodVm.Protocols.Tests.Ttrpc;

// MalformedFrameBurst_…_AndMemoryStaysFlat compares the process's GC heap before and after.
[Collection(ProcessWideMeasurements.Name)]
public sealed class TtrpcServerTests
{
    [Fact]
    public async Task Handler_DeadlineFromTimeoutNano_AnswersDeadlineExceeded()
    {
        await using var server = await TestServer.StartAsync();
        server.Hypervisor.GateStartVm = true;
        await using var socket = await RawTtrpcSocket.ConnectAsync(server.SocketPath);
        var request = new Request { Service = "hypervisor.Hypervisor", Method = "StartVM", TimeoutNano = 50_000_000 };

        await socket.SendAsync(RawTtrpcSocket.Frame(1, 1, 0, Google.Protobuf.MessageExtensions.ToByteArray(request)));
        var frame = await socket.ReadFrameAsync();

        Assert.Equal(4, Response.Parser.ParseFrom(frame.Data).Status.Code);
    }

    [Fact]
    public async Task Handlers_RunConcurrently_SoAFastCallOvertakesABlockedOne()
    {
        await using var server = await TestServer.StartAsync();
        server.Hypervisor.GateStartVm = true;
        await using var client = await server.ConnectAsync();
        var hypervisor = new HypervisorService.HypervisorClient(client.CreateCallInvoker());

        var blocked = hypervisor.StartVMAsync(new StartVMRequest { Id = "slow" }).ResponseAsync;
        var version = await hypervisor.VersionAsync(new VersionRequest()).ResponseAsync.DefaultTimeout();
        Assert.False(blocked.IsCompleted);
        server.Hypervisor.StartVmGate.SetResult();

        await blocked.DefaultTimeout();
        Assert.Equal("0.0.0-probe", version.Version);
    }

    [Fact]
    public async Task StopAsync_CallInFlight_FinishesAndIsAnswered_NewCallsRefused()
    {
        await using var server = await TestServer.StartAsync();
        server.Hypervisor.GateStartVm = true;
        await using var client = await server.ConnectAsync();
        var hypervisor = new HypervisorService.HypervisorClient(client.CreateCallInvoker());
        var inFlight = hypervisor.StartVMAsync(new StartVMRequest { Id = "a" }).ResponseAsync;
        await WaitUntilAsync(() => server.Server.CallsInFlight == 1);

        var stopping = server.Server.StopAsync(CancellationToken.None);
        var refused = await Assert.ThrowsAsync<RpcException>(() => hypervisor.VersionAsync(new VersionRequest()).ResponseAsync.DefaultTimeout());
        server.Hypervisor.StartVmGate.SetResult();

        await inFlight.DefaultTimeout();
        await stopping.DefaultTimeout();
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.False(File.Exists(server.SocketPath));
    }

    [Fact]
    public async Task Fallback_UnboundService_ReceivesRawRequestAndItsStatusPassesThrough()
    {
        await using var server = await TestServer.StartAsync();
        TtrpcRawRequest? seen = null;
        server.Server.Fallback = (request, _) =>
        {
            seen = request;
            var status = new PodVm.Protocols.Ttrpc.Wire.Status { Code = 7, Message = "denied by rule exec" };
            status.Details.Add(new Google.Protobuf.WellKnownTypes.Any { TypeUrl = "type/x", Value = Google.Protobuf.ByteString.CopyFromUtf8("d") });
            return ValueTask.FromResult(new TtrpcRawResponse(status, ReadOnlyMemory<byte>.Empty));
        };
        await using var client = await server.ConnectAsync();

        var response = await client.CallRawAsync("grpc.AgentService", "ExecProcess", new byte[] { 1, 2, 3 },
            new TtrpcCallOptions { ForwardedTimeoutNano = 123, Metadata = [new KeyValue { Key = "k", Value = "v" }] }, CancellationToken.None).DefaultTimeout();

        Assert.Equal(StatusCode.PermissionDenied, response.Code);
        Assert.Equal("denied by rule exec", response.Status!.Message);
        Assert.Equal("type/x", Assert.Single(response.Status.Details).TypeUrl);
        Assert.Equal(("grpc.AgentService", "ExecProcess", 123L), (seen!.Service, seen.Method, seen.TimeoutNano));
        Assert.Equal(new byte[] { 1, 2, 3 }, seen.Payload.ToArray());
        Assert.Equal("v", Assert.Single(seen.Metadata).Value);
    }

    [Fact]
    public async Task MalformedFrameBurst_OtherConnectionsKeepServing_AndMemoryStaysFlat()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var hypervisor = new HypervisorService.HypervisorClient(client.CreateCallInvoker());
        await hypervisor.VersionAsync(new VersionRequest()).ResponseAsync.DefaultTimeout();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var random = new Random(42);

        for (var round = 0; round < 20; round++)
        {
            await using var attacker = await RawTtrpcSocket.ConnectAsync(server.SocketPath);
            var burst = new List<byte>();
            for (var i = 0; i < 200; i++)
            {
                var garbage = new byte[random.Next(1, 64)];
                random.NextBytes(garbage);
                burst.AddRange(RawTtrpcSocket.Frame((uint)(2 * i + 1), 1, 0, garbage));
                burst.AddRange(RawTtrpcSocket.Frame((uint)(2 * i + 2), 1, 0, garbage));
            }

            // Ends with an announced oversized frame whose body never comes, then the attacker hangs up.
            burst.AddRange(Hex.Golden("7fffffff 00001001 01 00"));
            await attacker.SendAsync([.. burst]);
            var version = await hypervisor.VersionAsync(new VersionRequest()).ResponseAsync.DefaultTimeout();
            Assert.Equal("0.0.0-probe", version.Version);
        }

        await WaitUntilAsync(() => server.Server.CallsInFlight == 0);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.InRange(after - before, long.MinValue, 8L << 20);
    }

    [Fact]
    public async Task ServerStreaming_CountsThenEnds()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var streamer = new Streamer.StreamerClient(client.CreateCallInvoker());

        using var call = streamer.Count(new Item { Value = 5 });
        var values = new List<long>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout())
        {
            values.Add(call.ResponseStream.Current.Value);
        }

        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, values);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ServerStreaming_HandlerError_SurfacesOnRead()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var streamer = new Streamer.StreamerClient(client.CreateCallInvoker());

        using var call = streamer.Count(new Item { Value = -1 });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task ClientStreaming_SumsWhatTheClientSends()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var streamer = new Streamer.StreamerClient(client.CreateCallInvoker());

        using var call = streamer.Sum();
        for (var i = 1; i <= 100; i++)
        {
            await call.RequestStream.WriteAsync(new Item { Value = i }).DefaultTimeout();
        }

        await call.RequestStream.CompleteAsync().DefaultTimeout();

        Assert.Equal(5050, (await call.ResponseAsync.DefaultTimeout()).Value);
    }

    [Fact]
    public async Task DuplexStreaming_AnswersEachMessage()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        var streamer = new Streamer.StreamerClient(client.CreateCallInvoker());

        using var call = streamer.Chat();
        for (var i = 1; i <= 3; i++)
        {
            await call.RequestStream.WriteAsync(new Item { Value = i, Text = $"m{i}" }).DefaultTimeout();
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());
            Assert.Equal((i * 2L, $"m{i}"), (call.ResponseStream.Current.Value, call.ResponseStream.Current.Text));
        }

        await call.RequestStream.CompleteAsync().DefaultTimeout();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());
    }

    [Fact]
    public async Task StreamingRequest_WireFlags_FollowTtrpc12()
    {
        await using var listener = new RawTtrpcListener();
        await using var client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(listener.SocketPath));
        await using var peer = await listener.AcceptAsync();
        var streamer = new Streamer.StreamerClient(client.CreateCallInvoker());

        using var sum = streamer.Sum();
        await sum.RequestStream.WriteAsync(new Item { Value = 1 });
        await sum.RequestStream.CompleteAsync();
        var open = await peer.ReadFrameAsync();
        var data = await peer.ReadFrameAsync();
        var close = await peer.ReadFrameAsync();
        using var count = streamer.Count(new Item { Value = 2 });
        var serverStreamOpen = await peer.ReadFrameAsync();

        Assert.Equal((1, 0x02), (open.Type, open.Flags));
        Assert.Equal((3, 0x00), (data.Type, data.Flags));
        Assert.Equal((3, 0x05), (close.Type, close.Flags));
        Assert.Empty(close.Data);
        Assert.Equal((1, 0x01), (serverStreamOpen.Type, serverStreamOpen.Flags));
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
