namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>AMD EPYC generations with SEV-SNP; each has its own ARK/ASK/ASVK and KDS product name.</summary>
public enum SnpProcessorGeneration
{
    Milan,
    Genoa,
    Turin,
}
