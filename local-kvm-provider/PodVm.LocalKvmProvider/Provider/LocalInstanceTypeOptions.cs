namespace PodVm.LocalKvmProvider.Provider;

/// <summary>A named local VM size ("instance type") from configuration.</summary>
public sealed record LocalInstanceTypeOptions
{
    public string Name { get; init; } = "";
    public int VCpus { get; init; } = 1;
    public int MemoryMiB { get; init; } = 256;
}
