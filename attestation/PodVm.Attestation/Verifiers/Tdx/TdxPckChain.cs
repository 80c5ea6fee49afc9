using System.Security.Cryptography.X509Certificates;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>
/// A PCK chain whose signatures have been verified to the embedded Intel SGX Root CA, with the PCK leaf's public key
/// imported once and its SGX extension parsed. Validity windows and revocation are still checked per quote.
/// </summary>
internal sealed record TdxPckChain(
    X509Certificate2 Leaf,
    X509Certificate2 Intermediate,
    X509Certificate2 Root,
    EcdsaVerificationKey PckKey,
    PckCertificateExtensions Extensions);
