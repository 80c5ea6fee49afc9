namespace PodVm.LocalKvmProvider.Qemu;

/// <summary>
/// Chooses KVM only when <c>/sys/module/kvm_intel</c> or <c>/sys/module/kvm_amd</c> exists and /dev/kvm is there.
/// A /dev/kvm that comes from PVM (<c>kvm_pvm</c>) cannot run a stock kernel and would hang or crash the boot, so it
/// counts as "no usable KVM" and TCG is used.
/// </summary>
public static class AcceleratorDetector
{
    public const string Auto = "auto";

    public static Accelerator Detect(string sysModuleRoot = "/sys/module", string kvmDevice = "/dev/kvm")
    {
        var hardware = Directory.Exists(Path.Combine(sysModuleRoot, "kvm_intel")) || Directory.Exists(Path.Combine(sysModuleRoot, "kvm_amd"));
        return hardware && File.Exists(kvmDevice) ? Accelerator.Kvm : Accelerator.Tcg;
    }

    /// <summary>Resolves a configured value: "auto", "kvm" or "tcg" (case-insensitive).</summary>
    public static Accelerator Resolve(string configured, string sysModuleRoot = "/sys/module", string kvmDevice = "/dev/kvm") =>
        configured.ToUpperInvariant() switch
        {
            "AUTO" => Detect(sysModuleRoot, kvmDevice),
            "KVM" => Accelerator.Kvm,
            "TCG" => Accelerator.Tcg,
            _ => throw new ArgumentException($"Accelerator '{configured}' is not one of auto, kvm, tcg.", nameof(configured)),
        };
}
