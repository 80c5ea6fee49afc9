namespace PodVm.LocalKvmProvider.Tools;

/// <summary>What a finished host tool printed and how it exited.</summary>
internal sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError);
