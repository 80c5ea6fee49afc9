namespace PodVm.Attestation.Verifiers.Common;

/// <summary>How an X.509 object is signed.</summary>
internal enum SignatureKind
{
    RsaPkcs1,
    RsaPss,
    Ecdsa,
}
