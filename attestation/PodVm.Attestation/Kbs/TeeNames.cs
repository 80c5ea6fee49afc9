using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Kbs;

/// <summary>Trustee's kbs-types TEE names (plus PodVm's "local-dev") and our <see cref="TeeType"/>.</summary>
public static class TeeNames
{
    public const string LocalDev = "local-dev";

    /// <summary>Every name a Request may carry (kbs-types), whether or not this KBS has a verifier for it.</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "az-snp-vtpm", "az-tdx-vtpm", "nvidia", "sgx", "snp", "tdx", "cca", "csv", "se", "hygondcu", "tpm", "sample", "sampledevice", LocalDev,
    };

    public static string Name(TeeType tee) => tee switch
    {
        TeeType.Sample => "sample",
        TeeType.Snp => "snp",
        TeeType.Tdx => "tdx",
        TeeType.Tpm => "tpm",
        TeeType.AzSnpVtpm => "az-snp-vtpm",
        TeeType.AzTdxVtpm => "az-tdx-vtpm",
        TeeType.LocalDev => LocalDev,
        _ => tee.ToString().ToLowerInvariant(),
    };

    public static TeeType? Parse(string name) => name switch
    {
        "sample" => TeeType.Sample,
        "snp" => TeeType.Snp,
        "tdx" => TeeType.Tdx,
        "tpm" => TeeType.Tpm,
        "az-snp-vtpm" => TeeType.AzSnpVtpm,
        "az-tdx-vtpm" => TeeType.AzTdxVtpm,
        LocalDev => TeeType.LocalDev,
        _ => null,
    };
}
