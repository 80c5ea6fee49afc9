namespace PodVm.Kubernetes.Hosting;

/// <summary>
/// Settings of the adaptor's Kubernetes integration (section "Kubernetes": file, <c>PODVM_Kubernetes__*</c>
/// environment variables), validated at start-up by <see cref="KubernetesOptionsValidator"/>. Defaults live here only.
/// </summary>
public sealed record KubernetesOptions
{
    public const string SectionName = "Kubernetes";

    /// <summary>Off by default: <c>podvm caa serve</c> outside a cluster, and <c>podvm run</c>, talk to no API server.</summary>
    public bool Enabled { get; init; }

    /// <summary>
    /// The Kubernetes node this adaptor serves (the DaemonSet sets it from <c>spec.nodeName</c>). Defaults to
    /// <c>Adaptor:NodeName</c>; when both are set they must be equal, since instances are tagged with the adaptor's.
    /// </summary>
    public string? NodeName { get; init; }

    /// <summary>The <c>podvm.io/cluster</c> tag of this cluster's instances. Defaults to <c>Adaptor:ClusterName</c>; when both are set they must be equal.</summary>
    public string? ClusterName { get; init; }

    /// <summary>A kubeconfig file; empty uses the pod's service account (in-cluster configuration).</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Node (default; required with the local provider) or Cluster: what the controller and the orphan sweep handle.</summary>
    public KubernetesControllerScope ControllerScope { get; init; } = KubernetesControllerScope.Node;

    /// <summary>How often the orphan sweep runs; zero disables it.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an instance must stay unclaimed (and how old it must be) before the sweep deletes it.</summary>
    public TimeSpan SweepGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long one PeerPod watch request stays open before it is renewed.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Wait before retrying a failed list, watch, instance deletion or capacity advertisement.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound on the API calls made inside a pod's StartVM/StopVM (PeerPod, Event): an API server that hangs delays a pod at most this long.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
