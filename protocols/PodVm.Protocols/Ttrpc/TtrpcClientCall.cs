using System.Threading.Channels;

namespace PodVm.Protocols.Ttrpc;

/// <summary>One pending call on a client connection: its final response and, for streams, the Data it receives.</summary>
internal sealed class TtrpcClientCall
{
    private readonly TaskCompletionSource<TtrpcRawResponse> _response;
    private readonly Channel<ReadOnlyMemory<byte>>? _incoming;

    public TtrpcClientCall(bool streaming, bool resumeInline = false)
    {
        // Streams always resume asynchronously: their readers run arbitrary code between frames.
        _response = new(streaming || !resumeInline ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None);
        if (streaming)
        {
            _incoming = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        }
    }

    public uint StreamId { get; set; }

    public Task<TtrpcRawResponse> Response => _response.Task;

    public ChannelReader<ReadOnlyMemory<byte>> Incoming => _incoming!.Reader;

    /// <summary>The peer's Response frame ended the call.</summary>
    public void Complete(TtrpcRawResponse response) => Finish(response);

    /// <summary>The call ended here: cancelled, timed out, or the connection is gone.</summary>
    public void Fail(TtrpcRawResponse response) => Finish(response);

    public void OnData(ReadOnlyMemory<byte> data, bool hasData, bool last)
    {
        if (_incoming is null)
        {
            return;
        }

        if (hasData)
        {
            _incoming.Writer.TryWrite(data);
        }

        if (last)
        {
            Finish(TtrpcRawResponse.Success(ReadOnlyMemory<byte>.Empty));
        }
    }

    private void Finish(TtrpcRawResponse response)
    {
        if (_response.TrySetResult(response) && _incoming is not null)
        {
            _incoming.Writer.TryComplete(response.IsSuccess ? null : response.ToException());
        }
    }
}
