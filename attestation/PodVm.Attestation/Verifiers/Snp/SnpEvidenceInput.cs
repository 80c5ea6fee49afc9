using System.Security.Cryptography.X509Certificates;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>A binary SEV-SNP report and whatever certificates came with it (VCEK/VLEK, ASK/ASVK, ARK).</summary>
internal sealed record SnpEvidenceInput(byte[] Report, IReadOnlyList<X509Certificate2> Certificates);
