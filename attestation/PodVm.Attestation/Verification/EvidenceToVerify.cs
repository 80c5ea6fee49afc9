namespace PodVm.Attestation.Verification;

/// <summary>What the KBS hands a verifier for one attestation.</summary>
public sealed record EvidenceToVerify
{
    /// <summary>The evidence exactly as the guest sent it (Trustee's JSON encoding for that TEE, or raw bytes).</summary>
    public required ReadOnlyMemory<byte> Evidence { get; init; }

    /// <summary>
    /// The value the report data must carry (for RCAR: SHA-384 of the JCS runtime data, zero-padded to 64 bytes),
    /// or empty to skip the check (only for offline inspection with the CLI).
    /// </summary>
    public ReadOnlyMemory<byte> ExpectedReportData { get; init; }

    /// <summary>The initdata digest the evidence must bind (HOST_DATA, MRCONFIGID or PCR8), or empty.</summary>
    public ReadOnlyMemory<byte> ExpectedInitDataDigest { get; init; }

    /// <summary>The time at which certificates and collateral must be valid; null = now from the TimeProvider.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>
    /// Certificates supplied beside the evidence (each DER or PEM, a PEM file may hold several): for SNP the VCEK or
    /// VLEK and an ASK/ASVK + ARK chain, for TPM an AK certificate chain. Empty when the evidence carries its own.
    /// </summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Certificates { get; init; } = [];

    /// <summary>
    /// <see cref="Evidence"/> already parsed by the KBS (the primary_evidence element of the request body it read,
    /// whose compact form <see cref="Evidence"/> is), valid while the verification runs. A verifier that reads JSON
    /// evidence may use it instead of parsing <see cref="Evidence"/> again, under the same limits it would apply.
    /// </summary>
    internal ParsedJsonEvidence? ParsedJson { get; init; }
}
