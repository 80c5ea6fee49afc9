using System.Security.Cryptography.X509Certificates;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>A VCEK or VLEK whose chain to an embedded ARK has been verified (validity is still checked per report).</summary>
internal sealed record SnpVerifiedKey(
    SnpProcessorGeneration Generation,
    bool IsVlek,
    byte[] SubjectPublicKeyInfo,
    SnpVekExtensions Extensions,
    X509Certificate2 Vek,
    X509Certificate2 Intermediate,
    X509Certificate2 Ark);
