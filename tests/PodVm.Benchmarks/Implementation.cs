namespace PodVm.Benchmarks;

/// <summary>Which ttrpc implementation plays a role (client or server).</summary>
public enum Implementation
{
    /// <summary>PodVm.Protocols.Ttrpc.</summary>
    CSharp,

    /// <summary>Debian's containerd/ttrpc 1.1.1 via the Go peer.</summary>
    Go,

    /// <summary>
    /// PodVm.Protocols.Ttrpc without protobuf message work: the client sends a pre-encoded VersionRequest with
    /// CallRawAsync and does not decode the reply; the server echoes the payload bytes from its raw fallback handler
    /// (a VersionRequest's bytes are a valid VersionResponse). This isolates framing and I/O from string transcoding.
    /// </summary>
    CSharpRaw,
}
