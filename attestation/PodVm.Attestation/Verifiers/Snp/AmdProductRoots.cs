using System.Security.Cryptography.X509Certificates;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>One generation's AMD trust anchors: the ARK (root), the ASK (signs VCEKs) and the ASVK (signs VLEKs).</summary>
internal sealed record AmdProductRoots(SnpProcessorGeneration Generation, X509Certificate2 Ark, X509Certificate2 Ask, X509Certificate2 Asvk);
