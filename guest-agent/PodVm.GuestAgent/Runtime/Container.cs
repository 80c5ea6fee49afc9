using System.Collections.Concurrent;

namespace PodVm.GuestAgent.Runtime;

/// <summary>One container: its bundle, rootfs, cgroup, init process and exec processes.</summary>
internal sealed class Container(string id, string bundle, string rootfs, string cgroupPath, string imageReference, bool ownsPidNamespace)
{
    public string Id { get; } = id;

    public string Bundle { get; } = bundle;

    public string Rootfs { get; } = rootfs;

    public string CgroupPath { get; } = cgroupPath;

    public string ImageReference { get; } = imageReference;

    /// <summary>True when the container's init is the init of its own PID namespace (it ignores unhandled SIGTERM).</summary>
    public bool OwnsPidNamespace { get; } = ownsPidNamespace;

    public ContainerProcess? Init { get; set; }

    public bool Started { get; set; }

    public ConcurrentDictionary<string, ContainerProcess> Execs { get; } = new(StringComparer.Ordinal);

    /// <summary>Serialises lifecycle operations on this container.</summary>
    public SemaphoreSlim Lock { get; } = new(1, 1);

    /// <summary>The process for <paramref name="execId"/> ("" or the container id = the init).</summary>
    public ContainerProcess Process(string execId)
    {
        if (execId.Length == 0 || string.Equals(execId, Id, StringComparison.Ordinal))
        {
            return Init ?? throw new AgentException(AgentErrorReason.NotFound, $"container {Id} has no init process");
        }

        return Execs.TryGetValue(execId, out var p)
            ? p
            : throw new AgentException(AgentErrorReason.NotFound, $"process {execId} not found in container {Id}");
    }
}
