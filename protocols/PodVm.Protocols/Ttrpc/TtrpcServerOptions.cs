namespace PodVm.Protocols.Ttrpc;

public sealed record TtrpcServerOptions
{
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public int MaxMessageLength { get; init; } = TtrpcFrameHeader.MaxMessageLength;

    /// <summary>Calls one connection may have in flight; beyond it a request gets ResourceExhausted.</summary>
    public int MaxConcurrentCallsPerConnection { get; init; } = 4096;

    /// <summary>Unix socket file mode applied after bind (e.g. 0600 for a root-only hypervisor socket); null = umask.</summary>
    public UnixFileMode? UnixSocketMode { get; init; }
}
