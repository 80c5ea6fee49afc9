using Microsoft.Extensions.Logging;

namespace PodVm.Protocols.Ttrpc;

public sealed record TtrpcClientOptions
{
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }

    public int MaxMessageLength { get; init; } = TtrpcFrameHeader.MaxMessageLength;

    /// <summary>How long <see cref="TtrpcClient.ConnectAsync"/> tries to connect before it gives up.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Resume the caller of a unary call on the connection's receive pump when its Response arrives, instead of
    /// on the thread pool. For relays whose continuation only queues the answer onwards (the adaptor's proxy, the
    /// forwarder): it saves a thread-pool hop per call. Code after the await must not block, or every other call on
    /// the connection waits behind it.
    /// </summary>
    public bool ResumeOnReceivePump { get; init; }

    /// <summary>
    /// Write a request on the caller's thread while the connection's send pump is idle, instead of waking the pump
    /// on the thread pool (the write then happens under the lock that orders stream ids). For relays, whose caller is
    /// the receive pump of the incoming connection: one thread carries a request from socket to socket.
    /// </summary>
    public bool WriteOnSenderThread { get; init; }

    /// <summary>
    /// Read the connection on a thread of its own with blocking reads, and write it with blocking writes, so that
    /// the socket stays in blocking mode: a frame then wakes one thread, as in socat's poll loop, instead of the
    /// socket engine's epoll thread and then a thread-pool worker. For relays with few connections (the adaptor's
    /// proxy: one per pod). Takes effect when the socket is known: a <see cref="System.Net.Sockets.NetworkStream"/>'s,
    /// or the one given to <see cref="TtrpcClient(Stream, System.Net.Sockets.Socket, TtrpcClientOptions?)"/> (e.g. under
    /// an SslStream); the socket must not have been used asynchronously (connect and handshake synchronously).
    /// Handlers run on that thread, as with <see cref="ResumeOnReceivePump"/>; writes may block the writer while
    /// the peer does not read.
    /// </summary>
    public bool BlockingReceiveThread { get; init; }
}
