namespace PodVm.Kubernetes.PeerPods;

/// <summary>Names of the PeerPod resource and the labels and finalizer PodVm puts on it.</summary>
public static class PeerPodNames
{
    public const string Group = "confidentialcontainers.org";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string Kind = "PeerPod";
    public const string Plural = "peerpods";

    /// <summary>Upstream's finalizer; kept so upstream tooling recognises our objects.</summary>
    public const string Finalizer = "peer.pod/finalizer";

    /// <summary>Label with the node whose adaptor created the instance (lets a node-scoped controller select).</summary>
    public const string NodeLabel = "podvm.io/node";

    /// <summary>Label with the sandbox id (a PeerPod name is "&lt;pod&gt;-resource-&lt;suffix&gt;").</summary>
    public const string SandboxLabel = "podvm.io/sandbox-id";

    /// <summary>The extended resource the webhook gives each pod and the adaptor advertises per node.</summary>
    public const string ExtendedResource = "kata.peerpods.io/vm";
}
