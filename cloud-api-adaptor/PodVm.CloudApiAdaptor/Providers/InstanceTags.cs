namespace PodVm.CloudApiAdaptor.Providers;

/// <summary>
/// The tag keys every provider puts on what it creates. One concept, one name, across all providers: listing by
/// <see cref="ManagedBy"/> + <see cref="Cluster"/> + <see cref="Node"/> finds every VM one adaptor owns.
/// </summary>
public static class InstanceTags
{
    public const string ManagedBy = "podvm.io/managed-by";
    public const string ManagedByValue = "podvm";
    public const string Cluster = "podvm.io/cluster";
    public const string Node = "podvm.io/node";
    public const string SandboxId = "podvm.io/sandbox-id";
    public const string PodName = "podvm.io/pod-name";
    public const string PodNamespace = "podvm.io/pod-namespace";
}
