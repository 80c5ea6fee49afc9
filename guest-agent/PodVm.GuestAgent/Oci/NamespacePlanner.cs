using PodVm.Protocols.Agent;

namespace PodVm.GuestAgent.Oci;

/// <summary>
/// Decides a container's namespaces the way the Kata agent does: the pod's containers share the sandbox's IPC and
/// UTS namespaces, and its PID namespace when the sandbox asked for one (<c>sandbox_pidns</c>); each container has
/// its own mount namespace; a network namespace is kept only when the spec names one (the pod netns), otherwise
/// containers use the VM's network; user namespaces are not supported and are dropped.
/// </summary>
internal static class NamespacePlanner
{
    /// <param name="spec">The container's OCI spec.</param>
    /// <param name="sharedIpc">Path of the sandbox IPC namespace, if any.</param>
    /// <param name="sharedUts">Path of the sandbox UTS namespace, if any.</param>
    /// <param name="sharedPid">Path of the sandbox PID namespace to join, if any.</param>
    public static IReadOnlyList<NamespaceRequest> Plan(Spec spec, string? sharedIpc, string? sharedUts, string? sharedPid)
    {
        var requested = spec.Linux?.Namespaces ?? [];
        var result = new List<NamespaceRequest>
        {
            new("pid", sharedPid),
            new("ipc", sharedIpc ?? PathOf(requested, "ipc")),
            new("uts", sharedUts ?? PathOf(requested, "uts")),
            new("mount"),
        };

        var network = requested.FirstOrDefault(n => n.Type == "network");
        if (network is not null && network.Path.Length > 0)
        {
            result.Add(new NamespaceRequest("network", network.Path));
        }

        if (requested.Any(n => n.Type == "cgroup"))
        {
            result.Add(new NamespaceRequest("cgroup", PathOf(requested, "cgroup")));
        }

        return result;
    }

    private static string? PathOf(IEnumerable<LinuxNamespace> namespaces, string type) =>
        namespaces.FirstOrDefault(n => n.Type == type) is { Path.Length: > 0 } ns ? ns.Path : null;
}
