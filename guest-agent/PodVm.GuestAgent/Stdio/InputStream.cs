namespace PodVm.GuestAgent.Stdio;

/// <summary>A process's stdin: writes block when the process does not read (back-pressure to the host), close is idempotent.</summary>
internal sealed class InputStream(Stream? target) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private Stream? _target = target;

    public bool IsClosed => _target is null;

    public async Task<int> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var target = _target ?? throw new AgentException(AgentErrorReason.FailedPrecondition, "stdin is closed");
            await target.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            await target.FlushAsync(cancellationToken).ConfigureAwait(false);
            return data.Length;
        }
        catch (IOException ex)
        {
            throw new AgentException(AgentErrorReason.FailedPrecondition, "stdin is broken (the process stopped reading): " + ex.Message, ex);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var target = Interlocked.Exchange(ref _target, null);
            if (target is not null)
            {
                try
                {
                    await target.DisposeAsync().ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // The reader is gone already; closing is what was asked.
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose()
    {
        try
        {
            Interlocked.Exchange(ref _target, null)?.Dispose();
        }
        catch (IOException)
        {
            // Broken pipe on close: nothing to do.
        }

        _lock.Dispose();
    }
}
