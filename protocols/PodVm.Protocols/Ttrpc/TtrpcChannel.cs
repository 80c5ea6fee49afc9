using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Google.Protobuf;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// One ttrpc connection's byte plumbing: a receive pump that cuts frames with <see cref="TtrpcFrameParser"/> and a
/// send pump that drains a queue of frames into the stream, flushing once per batch so concurrent callers coalesce
/// into few writes. Shared by the client and the server side.
/// </summary>
/// <remarks>
/// In blocking mode (relays: see <see cref="TtrpcClientOptions.BlockingReceiveThread"/>) the receive pump is a thread
/// of its own that sits in a blocking read of the socket and handles each frame on that thread, and the send pump
/// writes with blocking writes, so the socket is never switched to non-blocking by an asynchronous operation. A
/// frame then costs one wake-up of one thread, as in a poll loop, instead of a wake-up of the socket engine's epoll
/// thread followed by one of a thread-pool worker.
/// </remarks>
internal sealed class TtrpcChannel : IAsyncDisposable
{
    private const int FlushThreshold = 64 * 1024;

    // Encoded frames at least this long bypass the pipe; smaller ones are copied into it to coalesce with others.
    private const int DirectWriteThreshold = 8 * 1024;

    // Blocking mode: the first receive buffer, and the size above which an emptied buffer is given back.
    private const int BlockingReceiveBuffer = 128 * 1024;
    private const int BlockingReceiveBufferRetained = 1024 * 1024;

    private readonly Stream _stream;
    private readonly Socket? _socket;
    private readonly PipeReader? _reader;
    private readonly PipeWriter? _writer;
    private readonly ArrayBufferWriter<byte>? _pending;
    private readonly TtrpcFrameParser _parser;
    private readonly Channel<TtrpcOutgoingFrame> _sendQueue;

    private readonly CancellationTokenSource _closed = new();
    private Task _sendPump = Task.CompletedTask;
    private int _disposed;

    /// <param name="stream">The connection.</param>
    /// <param name="maxMessageLength">Frames longer than this are refused.</param>
    /// <param name="writeOnSenderThread">
    /// When the send pump is idle, the thread that queues a frame writes it (and any that follow) to the stream
    /// itself, until the stream would block; otherwise the pump is woken on the thread pool.
    /// </param>
    /// <param name="blockingSocket">
    /// The socket under <paramref name="stream"/> for blocking mode (a receive thread of its own, blocking writes);
    /// null for the asynchronous pumps. <see cref="Close"/> shuts it down to wake the blocked reader.
    /// </param>
    public TtrpcChannel(Stream stream, int maxMessageLength, bool writeOnSenderThread = false, Socket? blockingSocket = null)
    {
        _stream = stream;
        _socket = blockingSocket;
        _sendQueue = Channel.CreateUnbounded<TtrpcOutgoingFrame>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = writeOnSenderThread });
        _parser = new TtrpcFrameParser(maxMessageLength);
        if (blockingSocket is null)
        {
            _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
            _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
        }
        else
        {
            _pending = new ArrayBufferWriter<byte>(16 * 1024);
        }
    }

    public int MaxMessageLength => _parser.MaxMessageLength;

    /// <summary>True when this channel reads on a thread of its own with blocking reads (see the remarks).</summary>
    public bool IsBlocking => _socket is not null;

    /// <summary>
    /// The socket under a stream for blocking mode: a <see cref="NetworkStream"/>'s, or null (blocking mode then
    /// needs the socket given explicitly, e.g. under an SslStream).
    /// </summary>
    public static Socket? SocketOf(Stream stream) => stream is NetworkStream network ? network.Socket : null;

    /// <summary>Cancelled when the connection is closed for any reason.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Queues a frame; false when the connection is closed.</summary>
    public bool TrySend(in TtrpcOutgoingFrame frame) => _sendQueue.Writer.TryWrite(frame);

    /// <summary>Writes queued frames until the connection closes. Never throws.</summary>
    public Task<TtrpcCloseReason> RunSendPumpAsync()
    {
        var pump = _pending is null ? SendPumpAsync() : BlockingSendPumpAsync(_pending);
        _sendPump = pump;
        return pump;
    }

    private async Task<TtrpcCloseReason> SendPumpAsync()
    {
        var writer = _writer!;
        var queue = _sendQueue.Reader;
        try
        {
            while (await queue.WaitToReadAsync(_closed.Token).ConfigureAwait(false))
            {
                while (queue.TryRead(out var frame))
                {
                    if (frame.Framed is { Length: >= DirectWriteThreshold } framed)
                    {
                        // A large frame that is already encoded goes to the stream as it is, in one write (one run
                        // of TLS records), after whatever the pipe holds so the order on the wire is kept.
                        if (writer.UnflushedBytes > 0)
                        {
                            var pending = await writer.FlushAsync(_closed.Token).ConfigureAwait(false);
                            if (pending.IsCompleted || pending.IsCanceled)
                            {
                                return TtrpcCloseReason.PeerClosed;
                            }
                        }

                        WriteHeader(frame, framed);
                        await _stream.WriteAsync(framed, _closed.Token).ConfigureAwait(false);
                        continue;
                    }

                    WriteFrame(frame, writer);
                    if (writer.UnflushedBytes >= FlushThreshold)
                    {
                        await writer.FlushAsync(_closed.Token).ConfigureAwait(false);
                    }
                }

                var flush = await writer.FlushAsync(_closed.Token).ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return TtrpcCloseReason.PeerClosed;
                }
            }

            return TtrpcCloseReason.Aborted;
        }
        catch (Exception ex)
        {
            return Classify(ex);
        }
        finally
        {
            Close();
        }
    }

    private async Task<TtrpcCloseReason> BlockingSendPumpAsync(ArrayBufferWriter<byte> pending)
    {
        var queue = _sendQueue.Reader;
        try
        {
            while (await queue.WaitToReadAsync(_closed.Token).ConfigureAwait(false))
            {
                while (queue.TryRead(out var frame))
                {
                    if (frame.Framed is { Length: >= DirectWriteThreshold } framed)
                    {
                        // As in SendPumpAsync: a large encoded frame goes out in one write, after what is pending.
                        WritePending(pending);
                        WriteHeader(frame, framed);
                        _stream.Write(framed);
                        continue;
                    }

                    WriteFrame(frame, pending);
                    if (pending.WrittenCount >= FlushThreshold)
                    {
                        WritePending(pending);
                    }
                }

                WritePending(pending);
            }

            return TtrpcCloseReason.Aborted;
        }
        catch (Exception ex)
        {
            return Classify(ex);
        }
        finally
        {
            Close();
        }
    }

    // Blocking mode: a synchronous write (never an asynchronous one, which would make the socket non-blocking).
    private void WritePending(ArrayBufferWriter<byte> pending)
    {
        if (pending.WrittenCount == 0)
        {
            return;
        }

        _stream.Write(pending.WrittenSpan);
        _stream.Flush();
        pending.ResetWrittenCount();
    }

    /// <summary>Reads frames and hands them to <paramref name="handler"/> until the connection closes. Never throws.</summary>
    public Task<TtrpcCloseReason> RunReceivePumpAsync(ITtrpcFrameHandler handler)
    {
        if (_reader is { } reader)
        {
            return ReceivePumpAsync(reader, handler);
        }

        var done = new TaskCompletionSource<TtrpcCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => done.SetResult(ReceiveBlocking(handler))) { IsBackground = true, Name = "ttrpc receive" };
        thread.UnsafeStart();
        return done.Task;
    }

    private async Task<TtrpcCloseReason> ReceivePumpAsync(PipeReader reader, ITtrpcFrameHandler handler)
    {
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_closed.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    DispatchFrames(ref buffer, handler);

                    if (result.IsCompleted || result.IsCanceled)
                    {
                        return buffer.IsEmpty ? TtrpcCloseReason.PeerClosed : TtrpcCloseReason.Truncated;
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (Exception ex)
        {
            return Classify(ex);
        }
        finally
        {
            Close();
        }
    }

    // Blocking mode's receive pump: one thread, blocking reads into one buffer, frames handled as they are cut.
    private TtrpcCloseReason ReceiveBlocking(ITtrpcFrameHandler handler)
    {
        var buffer = new byte[BlockingReceiveBuffer];
        var start = 0;
        var end = 0;
        try
        {
            while (true)
            {
                var read = _stream.Read(buffer, end, buffer.Length - end);
                if (read == 0)
                {
                    // Close() shuts the socket down to wake this read: that end is ours, not the peer's.
                    return _closed.IsCancellationRequested ? TtrpcCloseReason.Aborted
                        : start == end ? TtrpcCloseReason.PeerClosed : TtrpcCloseReason.Truncated;
                }

                end += read;
                var sequence = new ReadOnlySequence<byte>(buffer, start, end - start);
                DispatchFrames(ref sequence, handler);

                start = end - (int)sequence.Length;
                if (start == end)
                {
                    start = end = 0;
                    if (buffer.Length > BlockingReceiveBufferRetained)
                    {
                        buffer = new byte[BlockingReceiveBuffer];
                    }

                    continue;
                }

                // Part of a frame is left: make room for all of it (its header says how long it is, and it is within
                // the limit, or the parser would be discarding it), at the front of this buffer or in a larger one.
                var needed = end - start < TtrpcFrameHeader.Size
                    ? TtrpcFrameHeader.Size
                    : TtrpcFrameHeader.Size + (int)TtrpcFrameHeader.Read(buffer.AsSpan(start, TtrpcFrameHeader.Size)).Length;
                if (needed > buffer.Length)
                {
                    var larger = new byte[Math.Max(needed, Math.Min(buffer.Length * 2, MaxMessageLength + TtrpcFrameHeader.Size))];
                    Buffer.BlockCopy(buffer, start, larger, 0, end - start);
                    buffer = larger;
                    end -= start;
                    start = 0;
                }
                else if (start + needed > buffer.Length)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
            }
        }
        catch (Exception ex)
        {
            return Classify(ex);
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Stops both pumps and fails further sends. Idempotent.</summary>
    public void Close()
    {
        _sendQueue.Writer.TryComplete();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: nothing left to stop.
        }

        if (_socket is not null)
        {
            // Blocking mode: a thread in a blocking read or write is not woken by cancellation; shutting the socket
            // down is what a cancelled asynchronous read or flush amounts to.
            Shutdown(_socket);
        }
    }

    /// <summary>Shuts <paramref name="socket"/> down both ways, which wakes a thread blocked on it; quiet when it is not connected or closed.</summary>
    internal static void Shutdown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Not connected (a connect in progress is aborted all the same) or already closed: nobody is blocked on it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Close();

        // The writer belongs to the send pump until it has stopped: completing it while a flush is still in the
        // stream (its write finished on the wire but its continuation has not run yet) writes the same buffer again
        // and the stream refuses the second, concurrent write. The pump never throws and ends once Close() cancels it.
        await _sendPump.ConfigureAwait(false);
        if (_reader is not null && _writer is not null)
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
            try
            {
                // Completing the writer flushes what a failed flush left behind; the peer may be gone by now.
                await _writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                // The connection is closed either way; what did not reach the peer never will.
            }
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _closed.Dispose();
    }

    // Both receive pumps: hands every whole frame in buffer to the handler and leaves buffer at what is left.
    private void DispatchFrames(ref ReadOnlySequence<byte> buffer, ITtrpcFrameHandler handler)
    {
        while (true)
        {
            var status = _parser.TryRead(ref buffer, out var header, out var body);
            if (status == TtrpcParseStatus.NeedMoreData)
            {
                return;
            }

            if (status == TtrpcParseStatus.Frame)
            {
                handler.OnFrame(header, body);
            }
            else
            {
                handler.OnOversizedFrame(header);
            }
        }
    }

    private static void WriteHeader(in TtrpcOutgoingFrame frame, byte[] framed) =>
        new TtrpcFrameHeader((uint)(framed.Length - TtrpcFrameHeader.Size), frame.StreamId, frame.Type, frame.Flags).Write(framed);

    private static void WriteFrame(in TtrpcOutgoingFrame frame, IBufferWriter<byte> writer)
    {
        if (frame.Framed is { } framed)
        {
            WriteHeader(frame, framed);
            writer.Write(framed);
            return;
        }

        var message = frame.Message;
        var length = message?.CalculateSize() ?? frame.Raw.Length;
        var header = new TtrpcFrameHeader((uint)length, frame.StreamId, frame.Type, frame.Flags);
        header.Write(writer.GetSpan(TtrpcFrameHeader.Size));
        writer.Advance(TtrpcFrameHeader.Size);
        if (message is not null)
        {
            if (length > 0)
            {
                message.WriteTo(writer);
            }
        }
        else if (length > 0)
        {
            writer.Write(frame.Raw.Span);
        }
    }

    private TtrpcCloseReason Classify(Exception ex) => ex switch
    {
        OperationCanceledException => TtrpcCloseReason.Aborted,
        ObjectDisposedException => TtrpcCloseReason.Aborted,
        IOException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted } } => TtrpcCloseReason.Reset,
        SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted } => TtrpcCloseReason.Reset,
        IOException when _closed.IsCancellationRequested => TtrpcCloseReason.Aborted,
        _ => TtrpcCloseReason.Unexpected,
    };
}
