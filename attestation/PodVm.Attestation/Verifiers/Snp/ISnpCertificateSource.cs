namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// Where the SEV-SNP verifier gets a VCEK when the evidence does not carry one (AMD KDS, a cache, an offline store).
/// Returns the DER certificate, or null when the source has none for that chip and TCB.
/// </summary>
public interface ISnpCertificateSource
{
    ValueTask<byte[]?> GetVcekAsync(SnpProcessorGeneration generation, ReadOnlyMemory<byte> chipId, SnpTcb reportedTcb, CancellationToken cancellationToken);
}
