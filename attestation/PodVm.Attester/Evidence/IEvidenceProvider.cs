namespace PodVm.Attester.Evidence;

/// <summary>Produces this VM's TEE evidence bound to 64 bytes of report data chosen by the caller.</summary>
internal interface IEvidenceProvider
{
    /// <summary>The kbs-types TEE name sent in the RCAR Request ("local-dev", "snp", "tdx").</summary>
    string Tee { get; }

    /// <summary>The evidence as the KBS expects it in tee-evidence.primary_evidence (UTF-8 JSON).</summary>
    Task<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken);
}
