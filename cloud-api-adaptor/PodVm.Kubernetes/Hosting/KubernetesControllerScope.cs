namespace PodVm.Kubernetes.Hosting;

/// <summary>Which PeerPods and instances this adaptor's controller and orphan sweep look after.</summary>
public enum KubernetesControllerScope
{
    /// <summary>Only those of this node (label/tag <c>podvm.io/node</c>): required for the local provider, whose VMs live on the node.</summary>
    Node = 0,

    /// <summary>Every one in the cluster, as upstream's peerpod-ctrl does: cloud providers, and one process per cluster should do it.</summary>
    Cluster,
}
