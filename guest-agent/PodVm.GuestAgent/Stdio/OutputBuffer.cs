using System.IO.Pipelines;

namespace PodVm.GuestAgent.Stdio;

/// <summary>
/// One output stream of a container process (stdout or stderr), read by the host through ReadStdout/ReadStderr.
/// A dedicated pump copies from the process's pipe into a bounded in-memory pipe; when the host does not read,
/// the bound is reached, the pump stops reading, the kernel pipe fills and the container's writes block. So memory
/// stays bounded (<see cref="Capacity"/> plus one read chunk) however much the container writes.
/// </summary>
internal sealed class OutputBuffer : IDisposable
{
    /// <summary>The largest reply to one read call (well under the 4 MiB ttrpc frame limit).</summary>
    public const int MaxReadBytes = 1024 * 1024;

    private const int ChunkBytes = 64 * 1024;
    private readonly Pipe _pipe;
    private readonly Stream _source;
    private readonly SemaphoreSlim _readLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private long _pumped;
    private long _consumed;

    public OutputBuffer(Stream source, int capacity)
    {
        _source = source;
        Capacity = capacity;
        _pipe = new Pipe(new PipeOptions(
            pauseWriterThreshold: capacity,
            resumeWriterThreshold: capacity / 2,
            minimumSegmentSize: 16 * 1024,
            useSynchronizationContext: false));
        Completion = Task.Run(PumpAsync, CancellationToken.None);
    }

    /// <summary>The bound on buffered bytes.</summary>
    public int Capacity { get; }

    /// <summary>Bytes read from the process but not yet by the host.</summary>
    public long Buffered => Interlocked.Read(ref _pumped) - Interlocked.Read(ref _consumed);

    /// <summary>Completes when the process side has reached end of stream.</summary>
    public Task Completion { get; }

    /// <summary>Up to <paramref name="maxBytes"/> bytes (waits for at least one), or null at end of stream.</summary>
    public async Task<byte[]?> ReadAsync(int maxBytes, CancellationToken cancellationToken)
    {
        maxBytes = maxBytes <= 0 ? ChunkBytes : Math.Min(maxBytes, MaxReadBytes);
        await _readLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var result = await _pipe.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    var take = buffer.Slice(0, Math.Min(buffer.Length, maxBytes));
                    var bytes = System.Buffers.BuffersExtensions.ToArray(take);
                    _pipe.Reader.AdvanceTo(take.End);
                    Interlocked.Add(ref _consumed, bytes.Length);
                    return bytes;
                }

                _pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return null;
                }
            }
        }
        finally
        {
            _readLock.Release();
        }
    }

    /// <summary>
    /// Stops the pump and releases the process side. The source is disposed only once the pump has left its read:
    /// disposing a pipe stream while a read is blocked in it waits for that read, which a container that keeps the
    /// pipe open (a background child) would make forever.
    /// </summary>
    public void Dispose()
    {
        _stop.Cancel();
        _ = Completion.ContinueWith(
            static (_, state) =>
            {
                var self = (OutputBuffer)state!;
                self._source.Dispose();
                self._stop.Dispose();
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task PumpAsync()
    {
        try
        {
            while (true)
            {
                var memory = _pipe.Writer.GetMemory(ChunkBytes);
                var n = await _source.ReadAsync(memory, _stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                _pipe.Writer.Advance(n);
                Interlocked.Add(ref _pumped, n);
                var flush = await _pipe.Writer.FlushAsync(_stop.Token).ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: the process's output is no longer wanted.
        }
        catch (IOException)
        {
            // The pipe broke: treat as end of stream.
        }
        catch (ObjectDisposedException)
        {
            // The process was removed while its output was being read.
        }
        finally
        {
            await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        }
    }
}
