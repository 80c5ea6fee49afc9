using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using PodVm.LocalKvmProvider.Qmp;

namespace PodVm.LocalKvmProvider.Tests.Qmp;

/// <summary>QmpClient against a scripted QMP server on a unix socket.</summary>
public sealed class QmpClientTests : IAsyncDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"qmp-{Guid.NewGuid():N}.sock");
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public QmpClientTests()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(_path));
        _listener.Listen(1);
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        File.Delete(_path);
        return ValueTask.CompletedTask;
    }

    private async Task<(StreamReader Reader, StreamWriter Writer, Socket Socket)> AcceptAsync()
    {
        var socket = await _listener.AcceptAsync().DefaultTimeout();
        var stream = new NetworkStream(socket, ownsSocket: false);
        var writer = new StreamWriter(stream) { AutoFlush = true, NewLine = "\r\n" };
        await writer.WriteLineAsync("""{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}}, "capabilities": ["oob"]}}""");
        return (new StreamReader(stream), writer, socket);
    }

    private static async Task<JsonElement> ReadCommandAsync(StreamReader reader) =>
        JsonDocument.Parse((await reader.ReadLineAsync().DefaultTimeout())!).RootElement.Clone();

    [Fact]
    public async Task ConnectAsync_Greeting_NegotiatesCapabilitiesThenQueriesStatus()
    {
        var server = Task.Run(async () =>
        {
            var (reader, writer, socket) = await AcceptAsync();
            var capabilities = await ReadCommandAsync(reader);
            Assert.Equal("qmp_capabilities", capabilities.GetProperty("execute").GetString());
            await writer.WriteLineAsync($$"""{"return": {}, "id": "{{capabilities.GetProperty("id").GetString()}}"}""");
            var status = await ReadCommandAsync(reader);
            Assert.Equal("query-status", status.GetProperty("execute").GetString());
            // An event arrives between the command and its answer.
            await writer.WriteLineAsync("""{"timestamp": {"seconds": 1, "microseconds": 0}, "event": "STOP"}""");
            await writer.WriteLineAsync($$"""{"return": {"status": "paused", "running": false}, "id": "{{status.GetProperty("id").GetString()}}"}""");
            return socket;
        });

        await using var client = await QmpClient.ConnectAsync(_path, CancellationToken.None).DefaultTimeout();
        Assert.Equal("paused", await client.QueryStatusAsync(CancellationToken.None).DefaultTimeout());
        var stop = await client.Events.ReadAsync().AsTask().DefaultTimeout();
        Assert.Equal("STOP", stop.EventName);
        (await server).Dispose();
    }

    [Fact]
    public async Task ExecuteAsync_ErrorAnswer_ThrowsWithClass()
    {
        var server = Task.Run(async () =>
        {
            var (reader, writer, socket) = await AcceptAsync();
            var capabilities = await ReadCommandAsync(reader);
            await writer.WriteLineAsync($$"""{"return": {}, "id": "{{capabilities.GetProperty("id").GetString()}}"}""");
            var command = await ReadCommandAsync(reader);
            await writer.WriteLineAsync($$"""{"error": {"class": "CommandNotFound", "desc": "nope"}, "id": "{{command.GetProperty("id").GetString()}}"}""");
            return socket;
        });

        await using var client = await QmpClient.ConnectAsync(_path, CancellationToken.None).DefaultTimeout();
        var e = await Assert.ThrowsAsync<QmpException>(() => client.ExecuteAsync("nope", null, CancellationToken.None).DefaultTimeout());
        Assert.Equal("CommandNotFound", e.ErrorClass);
        (await server).Dispose();
    }

    [Fact]
    public async Task Closed_ServerGoesAway_CompletesAndFailsPendingCommands()
    {
        var server = Task.Run(async () =>
        {
            var (reader, writer, socket) = await AcceptAsync();
            var capabilities = await ReadCommandAsync(reader);
            await writer.WriteLineAsync($$"""{"return": {}, "id": "{{capabilities.GetProperty("id").GetString()}}"}""");
            await writer.WriteLineAsync("""{"timestamp": {"seconds": 1, "microseconds": 0}, "event": "SHUTDOWN", "data": {"guest": true}}""");
            await ReadCommandAsync(reader);
            socket.Shutdown(SocketShutdown.Both);
            socket.Dispose();
        });

        await using var client = await QmpClient.ConnectAsync(_path, CancellationToken.None).DefaultTimeout();
        var pending = client.QueryStatusAsync(CancellationToken.None);
        await Assert.ThrowsAsync<QmpException>(() => pending.DefaultTimeout());
        await client.Closed.DefaultTimeout();
        var shutdown = await client.Events.ReadAsync().AsTask().DefaultTimeout();
        Assert.Equal("SHUTDOWN", shutdown.EventName);
        await server.DefaultTimeout();
    }

    [Fact]
    public async Task QuitAsync_ServerClosesWithoutAnswer_Succeeds()
    {
        var server = Task.Run(async () =>
        {
            var (reader, writer, socket) = await AcceptAsync();
            var capabilities = await ReadCommandAsync(reader);
            await writer.WriteLineAsync($$"""{"return": {}, "id": "{{capabilities.GetProperty("id").GetString()}}"}""");
            Assert.Equal("quit", (await ReadCommandAsync(reader)).GetProperty("execute").GetString());
            socket.Dispose();
        });

        await using var client = await QmpClient.ConnectAsync(_path, CancellationToken.None).DefaultTimeout();
        await client.QuitAsync(CancellationToken.None).DefaultTimeout();
        await server.DefaultTimeout();
    }

    [Fact]
    public async Task ConnectAsync_GarbageInsteadOfGreeting_Throws()
    {
        var server = Task.Run(async () =>
        {
            var socket = await _listener.AcceptAsync().DefaultTimeout();
            await socket.SendAsync(Encoding.UTF8.GetBytes("not json\n"));
            return socket;
        });

        await Assert.ThrowsAsync<QmpException>(() => QmpClient.ConnectAsync(_path, CancellationToken.None).DefaultTimeout());
        (await server).Dispose();
    }
}
