namespace PodVm.LocalKvmProvider.Image;

/// <summary>What to build and where. Defaults put everything under <see cref="PodVmPaths.Home"/>.</summary>
public sealed record ImageBuildOptions
{
    /// <summary>
    /// The kernel command line of the image; part of the launch measurement. <c>acpi=noirq</c>: PCI interrupts are
    /// routed from the firmware's tables instead of by evaluating the ACPI interrupt-link methods: under TCG the AML
    /// interpreter took 0.3–0.8 s of the boot to enable the two virtio devices' links when virtio_pci loads (0.02 s
    /// without); the virtio devices use MSI-X, and the power button (ACPI SCI) is unaffected.
    /// </summary>
    public const string DefaultCommandLine = "console=ttyS0 quiet panic=-1 acpi=noirq";

    /// <summary>Loaded by /init before anything else: what the guest needs to report ready (network, side channel, user data).</summary>
    public static readonly IReadOnlyList<string> DefaultModules =
        ["virtio_pci", "virtio_net", "virtio_console", "qemu_fw_cfg"];

    /// <summary>
    /// Loaded by /init right after ready (listed in /etc/podvm/modules.late): nothing before ready needs them (the
    /// power button and its input device for acpid, virtio_blk for block volumes, overlay for overlay mounts: the
    /// agent unpacks guest-pulled images into plain directories), and each module costs boot time under QEMU TCG
    /// (overlay, the largest at 354 KB, was loaded before ready until session 9).
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultLateModules = ["virtio_blk", "button", "evdev", "overlay"];

    public string OutputDirectory { get; init; } = PodVmPaths.DefaultImage;

    public string CacheDirectory { get; init; } = PodVmPaths.Cache;

    /// <summary>A Debian kernel package; a meta package (linux-image-amd64) is followed to the concrete one.</summary>
    public string KernelPackage { get; init; } = "linux-image-amd64";

    public IReadOnlyList<string> Modules { get; init; } = DefaultModules;

    public IReadOnlyList<string> LateModules { get; init; } = DefaultLateModules;

    public string CommandLine { get; init; } = DefaultCommandLine;

    /// <summary>The checkout whose guest programs are published; null = none (busybox, crun and /init only).</summary>
    public string? RepositoryRoot { get; init; }

    /// <summary>Publish and include the guest programs found under <see cref="RepositoryRoot"/>.</summary>
    public bool IncludeGuestPrograms { get; init; } = true;

    /// <summary>Strip module signatures (the initrd measurement covers the modules; verifying them only costs boot time).</summary>
    public bool StripModuleSignatures { get; init; } = true;

    public InitrdCompression Compression { get; init; } = InitrdCompression.Lz4;

    /// <summary>Extra files for the initramfs (guest path to host file), e.g. test fixtures; part of the input digest.</summary>
    public IReadOnlyDictionary<string, string> ExtraFiles { get; init; } = new Dictionary<string, string>();
}
