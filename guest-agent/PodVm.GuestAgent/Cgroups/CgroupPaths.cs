namespace PodVm.GuestAgent.Cgroups;

/// <summary>Maps a container cgroup path to files on v2 (one tree) or v1 (one tree per controller).</summary>
internal sealed class CgroupPaths(string root)
{
    public string Root { get; } = root;

    public CgroupVersion Version { get; } = System.IO.File.Exists(Path.Combine(root, "cgroup.controllers")) ? CgroupVersion.V2 : CgroupVersion.V1;

    /// <summary>The file <paramref name="name"/> of <paramref name="cgroup"/>; on v1 under the <paramref name="v1Controller"/> tree.</summary>
    public string File(string cgroup, string v1Controller, string name) => Version == CgroupVersion.V2
        ? Path.Combine(Root, cgroup.TrimStart('/'), name)
        : Path.Combine(Root, v1Controller, cgroup.TrimStart('/'), name);
}
