using System.Security.Cryptography;

namespace PodVm.Attestation.Verifiers.LocalDev;

/// <summary>Constants of the local development TEE report format (docs/attestation/local-dev-tee.md).</summary>
public static class LocalDevTeeFormat
{
    /// <summary>COSE content type (protected header 3) of a report.</summary>
    public const string ContentType = "application/vnd.podvm.local-dev-tee-report+cbor";

    /// <summary>The only payload version defined.</summary>
    public const int Version = 1;

    /// <summary>COSE algorithm ES384 (ECDSA P-384 with SHA-384).</summary>
    public const int Es384 = -35;

    /// <summary>The platform identity: SHA-256 of the platform public key's DER SubjectPublicKeyInfo (COSE kid, payload platform_id).</summary>
    public static byte[] KeyId(ECDsa platformKey) => SHA256.HashData(platformKey.ExportSubjectPublicKeyInfo());

    /// <summary>The <c>tpm_ak_digest</c> of an attestation key: SHA-256 of its DER SubjectPublicKeyInfo.</summary>
    public static byte[] AkDigest(ReadOnlySpan<byte> akSubjectPublicKeyInfo) => SHA256.HashData(akSubjectPublicKeyInfo);
}
