using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using PodVm.Benchmarks;

// dotnet run -c Release --project tests/PodVm.Benchmarks -- [--quick | --loops-only] [--rounds N] [--workload unary|parallel|payload]... [--out FILE] [BenchmarkDotNet args]
//   (default)     BenchmarkDotNet (our client vs our server and the Go server), then the four-way loop comparison
//   --quick       the four-way loop comparisons only, short (under two minutes)
//   --loops-only  the four-way loop comparison only, full length
var quick = args.Contains("--quick");
var loopsOnly = quick || args.Contains("--loops-only");
var rounds = quick ? 1 : 3;
string? output = null;
var workloads = new List<Workload>();
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick" or "--loops-only":
            break;
        case "--rounds" when i + 1 < args.Length:
            rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--workload" when i + 1 < args.Length:
            workloads.Add(Enum.Parse<Workload>(args[++i], ignoreCase: true));
            break;
        case "--out" when i + 1 < args.Length:
            output = args[++i];
            break;
        default:
            rest.Add(args[i]);
            break;
    }
}

// Build (or find) the Go peer before anything runs, so a missing toolchain fails at once with the reason.
GoPeer.Build();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} CPUs, .NET {Environment.Version}, Go peer {Environment.GetEnvironmentVariable(GoPeer.PathVariable)}"));

if (!loopsOnly)
{
    // In-process: the generated benchmark project would otherwise inherit the repository's analyzers and
    // warnings-as-errors. A short job keeps the full run to a few minutes on a shared 2-core machine.
    var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(8);
    var config = DefaultConfig.Instance.AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator);
    BenchmarkSwitcher.FromTypes([typeof(TtrpcBenchmarks)]).Run(rest.Count > 0 ? [.. rest] : ["--filter", "*"], config);
}

var table = await LoopComparison.RunAsync(
    warmup: TimeSpan.FromSeconds(quick ? 0.5 : 1),
    duration: TimeSpan.FromSeconds(quick ? 2 : 5),
    rounds: rounds,
    workloads: workloads.Count > 0 ? workloads : Enum.GetValues<Workload>());
Console.WriteLine();
Console.WriteLine(table);
if (output is not null)
{
    await File.WriteAllTextAsync(output, table);
}
