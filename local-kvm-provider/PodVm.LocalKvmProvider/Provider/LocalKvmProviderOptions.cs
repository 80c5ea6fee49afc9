namespace PodVm.LocalKvmProvider.Provider;

/// <summary>
/// Settings of the local provider, bound from the "LocalKvm" configuration section and validated at start-up by
/// <see cref="LocalKvmProviderOptionsValidator"/>. Defaults live here and only here.
/// </summary>
public sealed record LocalKvmProviderOptions
{
    public const string SectionName = "LocalKvm";

    /// <summary>Where VM directories live; one provider installation per directory.</summary>
    public string StateDirectory { get; init; } = PodVmPaths.Vms;

    /// <summary>Where console logs of deleted VMs are kept for <see cref="LogRetention"/>.</summary>
    public string LogDirectory { get; init; } = PodVmPaths.Logs;

    /// <summary>The image used when a request names none (output of <c>podvm image build</c>).</summary>
    public string ImageDirectory { get; init; } = PodVmPaths.DefaultImage;

    public string QemuBinary { get; init; } = "qemu-system-x86_64";

    /// <summary>swtpm, started per VM that asks for a vTPM (Debian package swtpm).</summary>
    public string SwtpmBinary { get; init; } = "swtpm";

    /// <summary>"auto" (KVM only with kvm_intel/kvm_amd, else TCG), "kvm" or "tcg".</summary>
    public string Accelerator { get; init; } = "auto";

    /// <summary>The local sizes the adaptor may choose from.</summary>
    public IList<LocalInstanceTypeOptions> InstanceTypes { get; init; } =
    [
        new() { Name = "local.small", VCpus = 1, MemoryMiB = 256 },
        new() { Name = "local.medium", VCpus = 2, MemoryMiB = 1024 },
        new() { Name = "local.large", VCpus = 2, MemoryMiB = 2048 },
    ];

    /// <summary>Create waits this long for /init to report ready on the side channel.</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Delete presses the power button and waits this long before telling QEMU to quit.</summary>
    public TimeSpan PowerdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long console logs of deleted VMs are kept.</summary>
    public TimeSpan LogRetention { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Largest user data accepted (it goes through fw_cfg into guest memory).</summary>
    public int MaxUserDataBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Turn on the local development TEE: VMs are measured at launch and their guests can ask for launch reports
    /// signed by <see cref="PlatformKeyFile"/>. Off by default, because it protects nothing from this host.
    /// </summary>
    public bool DevelopmentTee { get; init; }

    /// <summary>The development TEE's platform key (P-384, PEM); made on first use, public half beside it as *.pub.pem.</summary>
    public string PlatformKeyFile { get; init; } = PodVmPaths.PlatformKey;

    /// <summary>Create returns only after the guest reported ready (else as soon as QEMU runs).</summary>
    public bool WaitForGuestReady { get; init; } = true;
}
