using System.Buffers;

namespace PodVm.Attester.Evidence;

/// <summary>
/// Reads '\n'-terminated lines of at most <see cref="MaxLineBytes"/> from a stream. Reads are awaited with the
/// token even when the stream cannot cancel them (a character device), so a deadline always ends the wait.
/// </summary>
internal sealed class LineReader(Stream stream, int maxLineBytes)
{
    private readonly byte[] _chunk = new byte[4096];
    private readonly ArrayBufferWriter<byte> _pending = new();
    private int _chunkStart;
    private int _chunkEnd;

    public int MaxLineBytes => maxLineBytes;

    /// <summary>The next line without its terminator (a trailing '\r' removed), or null at end of stream.</summary>
    public async ValueTask<byte[]?> ReadLineAsync(CancellationToken cancellationToken)
    {
        _pending.Clear();
        while (true)
        {
            if (_chunkStart < _chunkEnd)
            {
                var available = _chunk.AsSpan(_chunkStart, _chunkEnd - _chunkStart);
                var newline = available.IndexOf((byte)'\n');
                var take = newline >= 0 ? newline : available.Length;
                if (_pending.WrittenCount + take > maxLineBytes)
                {
                    throw new EvidenceException(EvidenceErrorReason.Malformed, $"the side channel sent a line longer than {maxLineBytes} bytes");
                }

                _pending.Write(available[..take]);
                if (newline >= 0)
                {
                    _chunkStart += newline + 1;
                    var line = _pending.WrittenSpan;
                    if (line.Length > 0 && line[^1] == (byte)'\r')
                    {
                        line = line[..^1];
                    }

                    return line.ToArray();
                }

                _chunkStart = _chunkEnd;
            }

            var read = await stream.ReadAsync(_chunk, cancellationToken).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _chunkStart = 0;
            _chunkEnd = read;
        }
    }
}
