namespace PodVm.Protocols.Tests;

/// <summary>
/// Tests that measure the whole process (GC.GetTotalMemory) run alone, after the parallel ones: another test class
/// allocating megabytes at the same time (the blocking-mode tests' 3 MB replies, the 200-call relay tests) is
/// otherwise counted as theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeasurements
{
    public const string Name = "Process-wide measurements";
}
