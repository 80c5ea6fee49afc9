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
internal sealed class TtrpcChannel : IAsyncDisposable
{
    private const int FlushThreshold = 64 * 1024;

    // Encoded frames at least this long bypass the pipe; smaller ones are copied into it to coalesce with others.
    private const int DirectWriteThreshold = 8 * 1024;

    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
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
    public TtrpcChannel(Stream stream, int maxMessageLength, bool writeOnSenderThread = false)
    {
        _stream = stream;
        _sendQueue = Channel.CreateUnbounded<TtrpcOutgoingFrame>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = writeOnSenderThread });
        _parser = new TtrpcFrameParser(maxMessageLength);
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
    }

    public int MaxMessageLength => _parser.MaxMessageLength;

    /// <summary>Cancelled when the connection is closed for any reason.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Queues a frame; false when the connection is closed.</summary>
    public bool TrySend(in TtrpcOutgoingFrame frame) => _sendQueue.Writer.TryWrite(frame);

    /// <summary>Writes queued frames until the connection closes. Never throws.</summary>
    public Task<TtrpcCloseReason> RunSendPumpAsync()
    {
        var pump = SendPumpAsync();
        _sendPump = pump;
        return pump;
    }

    private async Task<TtrpcCloseReason> SendPumpAsync()
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
                        // A large frame that is already encoded goes to the stream as it is, in one write (one run
                        // of TLS records), after whatever the pipe holds so the order on the wire is kept.
                        if (_writer.UnflushedBytes > 0)
                        {
                            var pending = await _writer.FlushAsync(_closed.Token).ConfigureAwait(false);
                            if (pending.IsCompleted || pending.IsCanceled)
                            {
                                return TtrpcCloseReason.PeerClosed;
                            }
                        }

                        WriteHeader(frame, framed);
                        await _stream.WriteAsync(framed, _closed.Token).ConfigureAwait(false);
                        continue;
                    }

                    WriteFrame(frame);
                    if (_writer.UnflushedBytes >= FlushThreshold)
                    {
                        await _writer.FlushAsync(_closed.Token).ConfigureAwait(false);
                    }
                }

                var flush = await _writer.FlushAsync(_closed.Token).ConfigureAwait(false);
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

    /// <summary>Reads frames and hands them to <paramref name="handler"/> until the connection closes. Never throws.</summary>
    public async Task<TtrpcCloseReason> RunReceivePumpAsync(ITtrpcFrameHandler handler)
    {
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(_closed.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (true)
                    {
                        var status = _parser.TryRead(ref buffer, out var header, out var body);
                        if (status == TtrpcParseStatus.NeedMoreData)
                        {
                            break;
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

                    if (result.IsCompleted || result.IsCanceled)
                    {
                        return buffer.IsEmpty ? TtrpcCloseReason.PeerClosed : TtrpcCloseReason.Truncated;
                    }
                }
                finally
                {
                    _reader.AdvanceTo(buffer.Start, buffer.End);
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

        await _stream.DisposeAsync().ConfigureAwait(false);
        _closed.Dispose();
    }

    private static void WriteHeader(in TtrpcOutgoingFrame frame, byte[] framed) =>
        new TtrpcFrameHeader((uint)(framed.Length - TtrpcFrameHeader.Size), frame.StreamId, frame.Type, frame.Flags).Write(framed);

    private void WriteFrame(in TtrpcOutgoingFrame frame)
    {
        if (frame.Framed is { } framed)
        {
            WriteHeader(frame, framed);
            _writer.Write(framed);
            return;
        }

        var message = frame.Message;
        var length = message?.CalculateSize() ?? frame.Raw.Length;
        var header = new TtrpcFrameHeader((uint)length, frame.StreamId, frame.Type, frame.Flags);
        header.Write(_writer.GetSpan(TtrpcFrameHeader.Size));
        _writer.Advance(TtrpcFrameHeader.Size);
        if (message is not null)
        {
            if (length > 0)
            {
                message.WriteTo(_writer);
            }
        }
        else if (length > 0)
        {
            _writer.Write(frame.Raw.Span);
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
