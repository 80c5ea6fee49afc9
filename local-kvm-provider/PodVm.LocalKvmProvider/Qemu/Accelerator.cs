namespace PodVm.LocalKvmProvider.Qemu;

/// <summary>How QEMU runs guest code.</summary>
public enum Accelerator
{
    /// <summary>Software emulation: works everywhere, and is what these PVM hosts must use.</summary>
    Tcg = 0,
    /// <summary>Hardware virtualisation, only when the host has real VMX/SVM (kvm_intel or kvm_amd loaded).</summary>
    Kvm,
}
