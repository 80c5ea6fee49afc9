namespace PodVm.Providers.Azure;

/// <summary>What a confidential VM's OS disk encrypts with the VM's keys (ARM securityEncryptionType).</summary>
public enum AzureDiskEncryption
{
    /// <summary>Only the VM guest state (vTPM, UEFI variables) is encrypted with the CVM key (VMGuestStateOnly).</summary>
    VmGuestStateOnly = 0,

    /// <summary>The OS disk and the guest state are encrypted with the CVM key (DiskWithVMGuestState; needs secure boot).</summary>
    DiskWithVmGuestState,
}
