namespace PodVm.Cli.Tests;

/// <summary>How one CLI process ended.</summary>
public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError);
