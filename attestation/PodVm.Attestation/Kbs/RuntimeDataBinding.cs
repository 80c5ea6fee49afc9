using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.Kbs;

/// <summary>
/// The RCAR binding: SHA-384 (SHA-512 for IBM SE) over the JCS form of
/// <c>{"additional-evidence":…,"nonce":…,"tee-pubkey":…}</c>, zero-padded to 64 bytes for SNP/TDX REPORT_DATA.
/// </summary>
public static class RuntimeDataBinding
{
    public static JsonObject Build(string nonce, JsonObject canonicalTeePubKey, string additionalEvidence) => new()
    {
        ["tee-pubkey"] = canonicalTeePubKey.DeepClone(),
        ["nonce"] = nonce,
        ["additional-evidence"] = additionalEvidence,
    };

    public static byte[] Digest(JsonNode runtimeData, string hashAlgorithm = "sha384") => Hash(Jcs.Canonicalize(runtimeData), hashAlgorithm);

    public static byte[] Hash(ReadOnlySpan<byte> data, string hashAlgorithm) => hashAlgorithm switch
    {
        "sha256" => SHA256.HashData(data),
        "sha384" or "" => SHA384.HashData(data),
        "sha512" => SHA512.HashData(data),
        _ => throw new KbsException(KbsErrorKind.RcarAttestFailed, $"unsupported hash algorithm '{hashAlgorithm}'"),
    };

    /// <summary>The digest zero-padded (or truncated) to 64 bytes, as SNP REPORT_DATA and TDX REPORTDATA carry it.</summary>
    public static byte[] ToReportData(ReadOnlySpan<byte> digest)
    {
        var reportData = new byte[64];
        digest[..Math.Min(64, digest.Length)].CopyTo(reportData);
        return reportData;
    }
}
