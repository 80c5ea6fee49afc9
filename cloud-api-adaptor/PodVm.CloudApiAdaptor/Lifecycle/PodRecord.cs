namespace PodVm.CloudApiAdaptor.Lifecycle;

/// <summary>
/// Everything the adaptor must remember about one pod VM to survive a restart. Persisted as JSON, written
/// atomically. Holds no secret: TLS keys are re-issued from the CA, never stored here.
/// </summary>
public sealed record PodRecord
{
    public required string SandboxId { get; init; }

    public required string PodName { get; init; }

    public required string PodNamespace { get; init; }

    public required string InstanceName { get; init; }

    public required string InstanceTypeName { get; init; }

    public int VCpus { get; init; }

    public int MemoryMiB { get; init; }

    public IReadOnlyList<string> FallbackInstanceTypes { get; init; } = [];

    public string? Image { get; init; }

    public string? NetworkNamespace { get; init; }

    /// <summary>The pod's initdata as annotated (gzip+base64 TOML); not secret, it is measured configuration.</summary>
    public string? InitData { get; init; }

    /// <summary>The pod asked for a vTPM (annotation io.podvm.tpm).</summary>
    public bool Tpm { get; init; }

    public required PodState State { get; init; }

    public string? InstanceId { get; init; }

    public string? ForwarderHost { get; init; }

    public int ForwarderPort { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Why the pod is Failed, in words a user can act on.</summary>
    public string? LastError { get; init; }
}
