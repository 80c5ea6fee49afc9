namespace PodVm.LocalKvmProvider.Qemu;

/// <summary>Everything that decides one QEMU command line.</summary>
public sealed record QemuLaunchSpec
{
    /// <summary>
    /// TCG translation buffer per VM in MiB (see <see cref="TcgTranslationBufferMiB"/>). The pod VM image's boot
    /// translates ~76 MB of host code by ready and ~87 MB by idle: at 64 MiB QEMU flushed every translation once during
    /// the boot and translated it all again (start to ready median 1.60 s at 64 MiB, 1.18 s at 128 MiB, five alternated
    /// pairs). The buffer's used pages count in QEMU's RSS, so this is as small as holds the boot (idle RSS of a pod
    /// VM 313 MiB; the memory goal is guest RAM + 64 MiB). docs/benchmarks/local-vm.md, session 8.
    /// </summary>
    public const int DefaultTcgTranslationBufferMiB = 96;

    public string QemuBinary { get; init; } = "qemu-system-x86_64";
    public required Accelerator Accelerator { get; init; }
    public required int VCpus { get; init; }
    public required int MemoryMiB { get; init; }
    public required string Kernel { get; init; }
    public required string Initrd { get; init; }
    public required string CommandLine { get; init; }
    public required string ConsoleLog { get; init; }
    public required string QmpSocket { get; init; }
    /// <summary>Host end of the virtio-serial side channel (port name <see cref="QemuCommandLine.SidePortName"/>).</summary>
    public required string SideChannelSocket { get; init; }
    public required string PidFile { get; init; }
    /// <summary>127.0.0.1 port forwarded to the guest's 15150.</summary>
    public required int HostForwardPort { get; init; }
    /// <summary>File delivered as fw_cfg opt/podvm/userdata; null = none.</summary>
    public string? UserDataFile { get; init; }
    /// <summary>swtpm's control socket for a vTPM (q35 + TPM CRB; boot the bzImage, see QemuCommandLine); null = none.</summary>
    public string? TpmSocket { get; init; }
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
    /// <summary>
    /// TCG only: <c>-accel tcg,tb-size=N</c>, the translation buffer in MiB (0 = QEMU's default, 1 GiB, which
    /// fills with every block the guest ever ran). Measured in docs/benchmarks/local-vm.md.
    /// </summary>
    public int TcgTranslationBufferMiB { get; init; } = DefaultTcgTranslationBufferMiB;
}
