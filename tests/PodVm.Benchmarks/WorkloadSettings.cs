namespace PodVm.Benchmarks;

/// <summary>The constants that both the C# and the Go side use for a workload.</summary>
internal static class WorkloadSettings
{
    public const int ParallelCalls = 64;

    public const int PayloadBytes = 1 << 20;

    public const string SmallMessage = "bench";

    public static readonly string LargeMessage = new('x', PayloadBytes);

    public static int Concurrency(Workload workload) => workload == Workload.Parallel ? ParallelCalls : 1;

    public static string Message(Workload workload) => workload == Workload.Payload ? LargeMessage : SmallMessage;

    /// <summary>The name the Go peer's bench-call -workload flag uses.</summary>
    public static string GoName(Workload workload) => workload switch
    {
        Workload.Unary => "unary",
        Workload.Parallel => "parallel",
        _ => "payload",
    };
}
