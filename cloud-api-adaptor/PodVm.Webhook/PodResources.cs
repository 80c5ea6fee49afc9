namespace PodVm.Webhook;

/// <summary>What a pod's VM needs: CPU in millicores, memory in bytes, and whole GPUs.</summary>
internal readonly record struct PodResources(long MilliCpu, long MemoryBytes, long Gpus)
{
    public static PodResources Zero => default;

    /// <summary>Whole vCPUs, rounded up (500m asks for one vCPU).</summary>
    public long Vcpus => (MilliCpu + 999) / 1000;

    /// <summary>Memory in MiB, rounded up.</summary>
    public long MemoryMiB => (MemoryBytes + (1024 * 1024) - 1) / (1024 * 1024);

    public static PodResources operator +(PodResources a, PodResources b) =>
        new(a.MilliCpu + b.MilliCpu, a.MemoryBytes + b.MemoryBytes, a.Gpus + b.Gpus);

    public static PodResources Add(PodResources a, PodResources b) => a + b;

    /// <summary>Per resource, the larger of the two (Kubernetes' rule for init containers).</summary>
    public static PodResources Max(PodResources a, PodResources b) =>
        new(Math.Max(a.MilliCpu, b.MilliCpu), Math.Max(a.MemoryBytes, b.MemoryBytes), Math.Max(a.Gpus, b.Gpus));
}
