namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>Settings of the SEV-SNP verifier.</summary>
public sealed record SnpVerifierOptions
{
    /// <summary>Where to get a VCEK the evidence does not carry (e.g. KDS behind a cache); null = the evidence must carry it.</summary>
    public ISnpCertificateSource? CertificateSource { get; init; }
}
