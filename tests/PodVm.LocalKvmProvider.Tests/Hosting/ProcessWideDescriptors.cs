namespace PodVm.LocalKvmProvider.Tests.Hosting;

/// <summary>Tests that change or inspect the whole test process's file descriptors run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideDescriptors
{
    public const string Name = "ProcessWideDescriptors";
}
