using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.CloudApiAdaptor.Configuration;

/// <summary>A configured instance type (bindable: configuration cannot build positional records).</summary>
public sealed record InstanceTypeSpec
{
    public string Name { get; init; } = string.Empty;

    public int VCpus { get; init; }

    public int MemoryMiB { get; init; }

    public int Gpus { get; init; }

    public string? GpuModel { get; init; }

    public InstanceType ToInstanceType() => new(Name, VCpus, MemoryMiB, Gpus, GpuModel);
}
