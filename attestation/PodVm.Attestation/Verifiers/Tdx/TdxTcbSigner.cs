using System.Security.Cryptography.X509Certificates;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>The TCB signing certificate of a collateral issuer chain, verified under the Intel root, and its imported key.</summary>
internal sealed record TdxTcbSigner(X509Certificate2 Certificate, EcdsaVerificationKey Key);
