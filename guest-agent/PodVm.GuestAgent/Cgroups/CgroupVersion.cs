namespace PodVm.GuestAgent.Cgroups;

/// <summary>Which cgroup hierarchy crun uses here: v2 (the pod VM) or v1 (legacy hosts, used by host-side tests).</summary>
internal enum CgroupVersion
{
    V1,
    V2,
}
