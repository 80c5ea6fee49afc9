namespace PodVm.CloudApiAdaptor.Providers;

/// <summary>A size of VM a provider offers: a cloud instance type, or a named local size from configuration.</summary>
public sealed record InstanceType(string Name, int VCpus, int MemoryMiB, int Gpus = 0, string? GpuModel = null)
{
    public override string ToString() => $"{Name} ({VCpus} vCPU, {MemoryMiB} MiB{(Gpus > 0 ? $", {Gpus} GPU" : "")})";
}
