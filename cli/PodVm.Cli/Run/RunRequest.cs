namespace PodVm.Cli.Run;

/// <summary>What `podvm run` was asked to run.</summary>
internal sealed record RunRequest
{
    public required string Image { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    public IReadOnlyList<string> Environment { get; init; } = [];

    public string PodName { get; init; } = "podvm-run";

    public string? InstanceType { get; init; }

    public string? ImageDirectory { get; init; }

    public int VCpus { get; init; }

    public int MemoryMiB { get; init; }

    public long MemoryLimitMiB { get; init; }

    public string? InitData { get; init; }

    /// <summary>Ask for a vTPM in the pod VM (annotation io.podvm.tpm).</summary>
    public bool Tpm { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Leave the VM running after the container exits (for debugging with `podvm vm`).</summary>
    public bool Keep { get; init; }
}
