namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// A binary SEV-SNP report and the certificates that came with it (VCEK/VLEK, ASK/ASVK, ARK), still encoded (DER or
/// PEM): the report verifier decodes them only when its chain cache does not already hold these exact bytes.
/// </summary>
internal sealed record SnpEvidenceInput(byte[] Report, IReadOnlyList<ReadOnlyMemory<byte>> Certificates);
