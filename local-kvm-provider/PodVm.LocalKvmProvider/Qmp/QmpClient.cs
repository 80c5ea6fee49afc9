using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace PodVm.LocalKvmProvider.Qmp;

/// <summary>
/// A client for QEMU's QMP monitor on a unix socket: reads the greeting, negotiates capabilities, then sends commands
/// tagged with an id and matches the answers; events go to <see cref="Events"/>. <see cref="Closed"/> completes when
/// QEMU closes the socket (it died or quit).
/// </summary>
public sealed class QmpClient : IAsyncDisposable
{
    public const int MaxLineBytes = 1 << 20;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    private readonly Channel<QmpMessage> _events = Channel.CreateBounded<QmpMessage>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly TaskCompletionSource<JsonElement> _greeting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;

    private QmpClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Closed = ReadLoopAsync();
    }

    /// <summary>Events as QEMU sends them (SHUTDOWN, STOP, POWERDOWN, RESET...).</summary>
    public ChannelReader<QmpMessage> Events => _events.Reader;

    /// <summary>Completes when the monitor connection ends.</summary>
    public Task Closed { get; }

    /// <summary>Connects, waits for the greeting and enters command mode (qmp_capabilities).</summary>
    public static async Task<QmpClient> ConnectAsync(string socketPath, CancellationToken cancellationToken)
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

        var client = new QmpClient(socket);
        try
        {
            await client._greeting.Task.WaitAsync(cancellationToken);
            await client.ExecuteAsync("qmp_capabilities", null, cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs one command and returns its "return" value; a QMP error becomes a <see cref="QmpException"/>.</summary>
    public async Task<JsonElement> ExecuteAsync(string command, object? arguments, CancellationToken cancellationToken)
    {
        var id = "podvm-" + Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        try
        {
            var request = arguments is null
                ? JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["execute"] = command, ["id"] = id })
                : JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["execute"] = command, ["arguments"] = arguments, ["id"] = id });
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                await _stream.WriteAsync(request, cancellationToken);
                await _stream.WriteAsync("\n"u8.ToArray(), cancellationToken);
            }
            finally
            {
                _writeLock.Release();
            }

            return await completion.Task.WaitAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw new QmpException($"QMP connection lost during '{command}'.", e);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>query-status: "running", "paused", "shutdown", "prelaunch"...</summary>
    public async Task<string> QueryStatusAsync(CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync("query-status", null, cancellationToken);
        return result.TryGetProperty("status", out var status) ? status.GetString() ?? "unknown" : "unknown";
    }

    /// <summary>Presses the ACPI power button; the guest decides whether to shut down.</summary>
    public Task SystemPowerdownAsync(CancellationToken cancellationToken) => ExecuteAsync("system_powerdown", null, cancellationToken);

    /// <summary>Asks QEMU to exit at once. The connection may close before the answer arrives; that counts as success.</summary>
    public async Task QuitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync("quit", null, cancellationToken);
        }
        catch (QmpException) when (Closed.IsCompleted || !_socket.Connected)
        {
            // QEMU exited before answering: that is what quit means.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        await _stream.DisposeAsync();
        try
        {
            await Closed;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // The read loop ends with the socket.
        }

        _writeLock.Dispose();
    }

    /// <summary>Splits a buffer into newline-terminated lines; returns false when no complete line is buffered.</summary>
    internal static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var position = buffer.PositionOf((byte)'\n');
        if (position is null)
        {
            if (buffer.Length > MaxLineBytes)
            {
                throw new QmpException($"A QMP message is longer than {MaxLineBytes} bytes.");
            }

            line = default;
            return false;
        }

        line = buffer.Slice(0, position.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, position.Value));
        return true;
    }

    private async Task ReadLoopAsync()
    {
        await Task.Yield();
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        Exception? failure = null;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync();
                var buffer = read.Buffer;
                while (TryReadLine(ref buffer, out var line))
                {
                    var text = Encoding.UTF8.GetString(line).Trim();
                    if (text.Length > 0)
                    {
                        Dispatch(QmpMessage.Parse(Encoding.UTF8.GetBytes(text)));
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or QmpException or OperationCanceledException)
        {
            failure = e;
        }
        finally
        {
            await reader.CompleteAsync();
            var closed = new QmpException("The QMP connection closed (QEMU exited or quit).", failure ?? new EndOfStreamException());
            _greeting.TrySetException(closed);
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(closed);
            }

            _events.Writer.TryComplete();
        }
    }

    private void Dispatch(QmpMessage message)
    {
        switch (message.Kind)
        {
            case QmpMessageKind.Greeting:
                _greeting.TrySetResult(message.Payload);
                break;
            case QmpMessageKind.Event:
                _events.Writer.TryWrite(message);
                break;
            default:
                if (message.Id is { } id && _pending.TryGetValue(id, out var completion))
                {
                    if (message.Kind == QmpMessageKind.Return)
                    {
                        completion.TrySetResult(message.Payload);
                    }
                    else
                    {
                        completion.TrySetException(new QmpException($"QMP error {message.ErrorClass}: {message.ErrorDescription}") { ErrorClass = message.ErrorClass });
                    }
                }

                break;
        }
    }
}
