namespace PodVm.Providers.Azure;

/// <summary>
/// The TEE of the confidential VM sizes used. On Azure the technology comes with the size: DCas/ECas v5 (and v6) are
/// AMD SEV-SNP, DCes/ECes v5 are Intel TDX; the provider refuses a confidential create whose size does not match.
/// </summary>
public enum AzureTee
{
    SevSnp = 0,
    Tdx,
}
