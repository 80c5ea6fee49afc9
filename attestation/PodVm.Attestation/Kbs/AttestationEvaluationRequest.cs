using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Kbs;

/// <summary>One piece of evidence to appraise, in the shape of Trustee's IndividualAttestationRequest.</summary>
public sealed record AttestationEvaluationRequest
{
    /// <summary>Trustee TEE name ("snp", "tdx", "sample", …).</summary>
    public required string Tee { get; init; }

    /// <summary>The evidence as the guest sent it (for RCAR: the UTF-8 JSON of primary_evidence).</summary>
    public required ReadOnlyMemory<byte> Evidence { get; init; }

    /// <summary>Structured runtime data: hashed over its JCS form and echoed in the token (minus additional-evidence).</summary>
    public JsonObject? StructuredRuntimeData { get; init; }

    /// <summary>Raw runtime data, hashed as bytes; used when <see cref="StructuredRuntimeData"/> is null.</summary>
    public ReadOnlyMemory<byte> RawRuntimeData { get; init; }

    public string RuntimeDataHashAlgorithm { get; init; } = "sha384";

    /// <summary>Raw initdata (the TOML bytes as delivered), or empty.</summary>
    public ReadOnlyMemory<byte> InitData { get; init; }

    /// <summary>sha256/sha384/sha512; null = the "algorithm" the TOML declares (sha384 if none).</summary>
    public string? InitDataHashAlgorithm { get; init; }

    public string PolicyId { get; init; } = "default";

    /// <summary>Names the EAR submodule ("cpu" → "cpu0").</summary>
    public string TeeClass { get; init; } = "cpu";

    /// <summary><see cref="Evidence"/> as the element of the request the KBS parsed (see <c>EvidenceToVerify.ParsedJson</c>).</summary>
    internal ParsedJsonEvidence? ParsedEvidence { get; init; }
}
