using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.CloudApiAdaptor.Configuration;

/// <summary>
/// Every setting of the adaptor, bound from configuration (section "Adaptor": file, PODVM_ environment variables,
/// command line) and validated at start-up by <see cref="AdaptorOptionsValidator"/>. Defaults live here only.
/// </summary>
public sealed record AdaptorOptions
{
    public const string SectionName = "Adaptor";

    /// <summary>The ttrpc socket the Kata shim dials (its remote_hypervisor_socket).</summary>
    public string SocketPath { get; init; } = "/run/peerpod/hypervisor.sock";

    /// <summary>Per-pod directories; each holds agent.ttrpc, the socket the shim speaks the agent protocol on.</summary>
    public string PodsDirectory { get; init; } = "/run/peerpod/pods";

    /// <summary>Where pod records and the forwarder CA survive restarts.</summary>
    public string StateDirectory { get; init; } = "/var/lib/podvm/adaptor";

    /// <summary>Which provider creates the VMs: local, aws or azure.</summary>
    public string Provider { get; init; } = "local";

    /// <summary>Names this installation in every VM's tags, so the reconciler finds what it owns.</summary>
    public string ClusterName { get; init; } = "default";

    public string NodeName { get; init; } = Environment.MachineName;

    /// <summary>Instance types pods may use; empty = only <see cref="DefaultInstanceType"/>.</summary>
    public IList<string> AllowedInstanceTypes { get; init; } = [];

    /// <summary>The type used when a pod asks for nothing in particular.</summary>
    public string DefaultInstanceType { get; init; } = "small";

    /// <summary>Sizes known to the adaptor when the provider does not report its own (name, vCPUs, memory).</summary>
    public IList<InstanceTypeSpec> InstanceTypes { get; init; } =
    [
        new() { Name = "small", VCpus = 1, MemoryMiB = 256 },
        new() { Name = "medium", VCpus = 2, MemoryMiB = 512 },
        new() { Name = "large", VCpus = 2, MemoryMiB = 1024 },
    ];

    /// <summary>Pod VMs this node may run at once; CreateVM beyond it gets ResourceExhausted.</summary>
    public int MaxPods { get; init; } = 16;

    /// <summary>The forwarder's port in the VM (cloud VMs; local VMs report their forwarded port).</summary>
    public int ForwarderPort { get; init; } = InstanceAddress.ForwarderPort;

    /// <summary>Used for StartVM when the shim sends no deadline.</summary>
    public TimeSpan DefaultStartTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long deleting a VM may take when a start failed or a pod stops.</summary>
    public TimeSpan DeleteTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the reconciler looks for VMs no pod claims; zero disables it.</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A VM younger than this is never reconciled away (its create may still be in flight).</summary>
    public TimeSpan OrphanGracePeriod { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Loopback address for /healthz, /readyz and /metrics; empty disables the endpoint.</summary>
    public string MetricsUrl { get; init; } = "http://127.0.0.1:15151";

    /// <summary>Initdata applied to pods whose annotation carries none (gzip+base64 TOML, as the annotation).</summary>
    public string? DefaultInitData { get; init; }
}
