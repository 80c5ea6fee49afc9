using System.Globalization;

namespace PodVm.Cli.Bench;

/// <summary>The markdown rows the local-mode benchmarks print: a measure, its median and every run.</summary>
internal static class BenchTable
{
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary><c>| measure | median unit | run, run, ... |</c>, numbers in <paramref name="format"/> (invariant culture).</summary>
    public static string Row(string measure, IReadOnlyList<double> values, string unit = "s", string format = "F2") =>
        $"| {measure} | {Median(values).ToString(format, CultureInfo.InvariantCulture)} {unit} | {string.Join(", ", values.Select(v => v.ToString(format, CultureInfo.InvariantCulture)))} |";
}
