namespace PodVm.Benchmarks;

/// <summary>Which ttrpc implementation plays a role (client or server).</summary>
public enum Implementation
{
    /// <summary>PodVm.Protocols.Ttrpc.</summary>
    CSharp,

    /// <summary>Debian's containerd/ttrpc 1.1.1 via the Go peer.</summary>
    Go,
}
