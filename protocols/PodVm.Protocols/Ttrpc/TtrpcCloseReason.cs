namespace PodVm.Protocols.Ttrpc;

/// <summary>How a connection ended. Only <see cref="Unexpected"/> is worth a warning in the log.</summary>
public enum TtrpcCloseReason
{
    /// <summary>The peer closed its side cleanly.</summary>
    PeerClosed = 0,

    /// <summary>The peer reset the connection (crash, kill).</summary>
    Reset,

    /// <summary>We closed it (dispose, shutdown).</summary>
    Aborted,

    /// <summary>The stream ended in the middle of a frame.</summary>
    Truncated,

    /// <summary>Anything else: an I/O or protocol error.</summary>
    Unexpected,
}
