using System.Security.Cryptography.X509Certificates;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// A VCEK or VLEK whose chain to an embedded ARK has been verified, with its public key imported once. What depends on
/// the report or the verification time (signing-key kind, generation, validity windows) is still checked per report.
/// </summary>
internal sealed record SnpVerifiedKey(
    SnpProcessorGeneration Generation,
    bool IsVlek,
    EcdsaVerificationKey Key,
    SnpVekExtensions Extensions,
    X509Certificate2 Vek,
    X509Certificate2 Intermediate,
    X509Certificate2 Ark);
