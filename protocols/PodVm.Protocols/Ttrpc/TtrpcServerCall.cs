using System.Threading.Channels;
using Grpc.Core;
using PodVm.Protocols.Ttrpc.Wire;

namespace PodVm.Protocols.Ttrpc;

/// <summary>One call being served: its request, context, cancellation, and for client streams the Data it receives.</summary>
internal sealed class TtrpcServerCall : IDisposable
{
    private readonly CancellationTokenSource _cancellation;
    private readonly CancellationTokenSource? _deadline;
    private readonly Channel<ReadOnlyMemory<byte>>? _incoming;
    private readonly DateTime _deadlineAt;
    private ServerCallContext? _context;

    public TtrpcServerCall(TtrpcServerConnection connection, uint streamId, Request request, bool clientSends, TimeProvider timeProvider, CancellationToken connectionClosed)
    {
        Connection = connection;
        StreamId = streamId;
        Request = request;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed);
        _deadlineAt = DateTime.MaxValue;
        if (request.TimeoutNano > 0)
        {
            var timeout = TimeSpan.FromTicks(Math.Max(1, request.TimeoutNano / 100));
            _deadlineAt = timeProvider.GetUtcNow().UtcDateTime + timeout;
            _deadline = new CancellationTokenSource(timeout, timeProvider);
            _deadline.Token.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _cancellation);
        }

        if (clientSends)
        {
            _incoming = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        }
    }

    public TtrpcServerConnection Connection { get; }

    public uint StreamId { get; }

    public Request Request { get; }

    /// <summary>The gRPC-style context of typed handlers, made on first use (relays, the raw handlers, never ask for it).</summary>
    public ServerCallContext Context => _context ??= CreateContext();

    public CancellationToken CancellationToken => _cancellation.Token;

    public bool DeadlineExpired => _deadline?.IsCancellationRequested == true;

    /// <summary>Cancelled when the caller's timeout runs out (it also cancels <see cref="CancellationToken"/>).</summary>
    public CancellationToken DeadlineToken => _deadline?.Token ?? CancellationToken.None;

    public ChannelReader<ReadOnlyMemory<byte>> Incoming => _incoming?.Reader ?? throw new InvalidOperationException("this call receives no stream");

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
            _incoming.Writer.TryComplete();
        }
    }

    public void SendData(ReadOnlyMemory<byte> payload) =>
        Connection.Send(new TtrpcOutgoingFrame(StreamId, TtrpcMessageType.Data, TtrpcFrameFlags.None, payload));

    private TtrpcServerCallContext CreateContext()
    {
        var headers = new Metadata();
        foreach (var kv in Request.Metadata)
        {
            headers.Add(kv.Key, kv.Value);
        }

        return new TtrpcServerCallContext($"/{Request.Service}/{Request.Method}", Connection.Peer, _deadlineAt, headers, _cancellation.Token);
    }

    public void Dispose()
    {
        _incoming?.Writer.TryComplete();
        _deadline?.Dispose();
        _cancellation.Dispose();
    }
}
