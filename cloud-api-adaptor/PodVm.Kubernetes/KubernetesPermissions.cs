namespace PodVm.Kubernetes;

/// <summary>
/// Every Kubernetes API call this library makes, as RBAC rules. deploy/base/adaptor-rbac.yaml grants exactly this
/// (tests/PodVm.Deploy.Tests compares the two), so a new call without a new rule fails CI instead of a cluster.
/// </summary>
public static class KubernetesPermissions
{
    public static IReadOnlyList<PermissionRule> Adaptor { get; } =
    [
        new("", "pods", ["get"]),
        new("", "events", ["create"]),
        new("", "nodes/status", ["patch"]),
        new(PeerPods.PeerPodNames.Group, PeerPods.PeerPodNames.Plural, ["create", "delete", "get", "list", "update", "watch"]),
    ];
}
