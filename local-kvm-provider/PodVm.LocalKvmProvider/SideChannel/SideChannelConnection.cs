using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace PodVm.LocalKvmProvider.SideChannel;

/// <summary>
/// The host end of a VM's side channel. QEMU listens on the unix socket; this connects, reads the guest's lines,
/// completes <see cref="Ready"/> on <c>{"type":"status","step":"ready"}</c> from /init, and hands other message types
/// to the registered <see cref="ISideChannelHandler"/>s.
/// </summary>
public sealed class SideChannelConnection : IAsyncDisposable
{
    public const int MaxLineLength = 1 << 20;

    private readonly string _instanceId;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Dictionary<string, ISideChannelHandler> _handlers;
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private SideChannelConnection(string instanceId, Socket socket, IEnumerable<ISideChannelHandler> handlers)
    {
        _instanceId = instanceId;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _handlers = handlers.ToDictionary(h => h.MessageType, StringComparer.Ordinal);
        Completion = ReadLoopAsync(_stop.Token);
    }

    /// <summary>Completes with the guest uptime when /init reports ready.</summary>
    public Task<string> Ready => _ready.Task;

    /// <summary>Completes when the connection ends.</summary>
    public Task Completion { get; }

    public static async Task<SideChannelConnection> ConnectAsync(
        string instanceId, string socketPath, IEnumerable<ISideChannelHandler> handlers, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new SideChannelConnection(instanceId, socket, handlers);
    }

    /// <summary>Sends one line to the guest.</summary>
    public async Task SendAsync(string jsonLine, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(jsonLine + "\n"), cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        await _stream.DisposeAsync();
        await Completion;
        _stop.Dispose();
        _writeLock.Dispose();
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            using var reader = new StreamReader(_stream, Encoding.UTF8, leaveOpen: true);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length > MaxLineLength)
                {
                    break;
                }

                await HandleLineAsync(line, cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or OperationCanceledException)
        {
            // The VM went away or we closed the channel.
        }
        finally
        {
            _ready.TrySetException(new IOException($"The side channel of VM {_instanceId} closed before the guest reported ready."));
        }
    }

    private async Task HandleLineAsync(string line, CancellationToken cancellationToken)
    {
        JsonElement message;
        try
        {
            using var document = JsonDocument.Parse(line);
            message = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return;
        }

        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            return;
        }

        var type = typeElement.GetString()!;
        if (type == "status")
        {
            if (message.TryGetProperty("step", out var step) && step.ValueKind == JsonValueKind.String && step.ValueEquals("ready"))
            {
                _ready.TrySetResult(message.TryGetProperty("uptime", out var uptime) ? uptime.ToString() : "");
            }

            return;
        }

        if (_handlers.TryGetValue(type, out var handler) && await handler.HandleAsync(_instanceId, message, cancellationToken) is { } answer)
        {
            await SendAsync(answer, cancellationToken);
        }
    }
}
