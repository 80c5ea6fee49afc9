namespace PodVm.LocalKvmProvider.Vms;

/// <summary>
/// state.json in a VM directory: what a restarted provider needs to find, adopt or clean up the VM. Written
/// atomically (temporary file, fsync, rename) by <see cref="VmStateStore"/>.
/// </summary>
public sealed record VmState
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;
    public required string Id { get; init; }
    public required string Name { get; init; }
    /// <summary>The create request's idempotency key (the sandbox id).</summary>
    public required string IdempotencyKey { get; init; }
    public required IReadOnlyDictionary<string, string> Tags { get; init; }
    public required string InstanceTypeName { get; init; }
    public required int VCpus { get; init; }
    public required int MemoryMiB { get; init; }
    public required string ImageDirectory { get; init; }
    public required string Kernel { get; init; }
    public required string Initrd { get; init; }
    public required string CommandLine { get; init; }
    /// <summary>The <see cref="Image.LaunchMeasurement"/> of kernel, initrd and command line, hex.</summary>
    public required string LaunchDigest { get; init; }
    /// <summary>
    /// With the development TEE: the launch measurement computed from the kernel, initrd and command line files at
    /// launch (not copied from the image manifest, so a changed file changes it), hex; empty without it.
    /// </summary>
    public string Measurement { get; init; } = string.Empty;
    /// <summary>With the development TEE: the first 32 bytes of the pod's initdata digest, hex; empty when none.</summary>
    public string HostData { get; init; } = string.Empty;
    public required string Accelerator { get; init; }
    public required int HostForwardPort { get; init; }
    /// <summary>QEMU's pid; 0 until it runs.</summary>
    public int Pid { get; init; }
    /// <summary>QEMU's start time (ticks since boot, /proc/PID/stat field 22), to tell it from a recycled pid.</summary>
    public long ProcessStartTime { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>The VM has a vTPM: swtpm runs beside QEMU, which boots q35 with the bzImage kernel and a TPM CRB device.</summary>
    public bool Tpm { get; init; }
    /// <summary>swtpm's pid; 0 without a vTPM or until it runs.</summary>
    public int SwtpmPid { get; init; }
    /// <summary>swtpm's start time (as <see cref="ProcessStartTime"/>).</summary>
    public long SwtpmStartTime { get; init; }
}
