namespace PodVm.Protocols.Ttrpc;

public sealed record TtrpcServerOptions
{
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public int MaxMessageLength { get; init; } = TtrpcFrameHeader.MaxMessageLength;

    /// <summary>Calls one connection may have in flight; beyond it a request gets ResourceExhausted.</summary>
    public int MaxConcurrentCallsPerConnection { get; init; } = 4096;

    /// <summary>Unix socket file mode applied after bind (e.g. 0600 for a root-only hypervisor socket); null = umask.</summary>
    public UnixFileMode? UnixSocketMode { get; init; }

    /// <summary>
    /// Log "ttrpc server listening on ..." when a listener starts (the default). Off for a caller that reports its
    /// endpoint itself: the guest agent does, before it says ready, without going through ILogger.
    /// </summary>
    public bool LogListening { get; init; } = true;

    /// <summary>
    /// Write a response on the thread that produced it while the connection's send pump is idle, instead of waking
    /// the pump on the thread pool. For relays (see <see cref="TtrpcServer.Fallback"/>), where that thread is the
    /// receive pump of the onward connection: one thread then carries a reply from socket to socket, as socat does.
    /// </summary>
    public bool WriteOnSenderThread { get; init; }

    /// <summary>
    /// Serve each connection accepted on a listening socket on a thread of its own with blocking reads and writes
    /// (see <see cref="TtrpcClientOptions.BlockingReceiveThread"/>): one thread per connection, for relays whose
    /// clients keep few connections (the Kata shim keeps one agent connection per pod). Connections handed to
    /// <see cref="TtrpcServer.HandleConnectionAsync"/> use it when their stream is a NetworkStream.
    /// </summary>
    public bool BlockingReceiveThreads { get; init; }
}
