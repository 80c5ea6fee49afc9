using System.Globalization;
using System.Text.Json.Nodes;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>The claims of a verified SEV-SNP report, snake_case after the ABI specification's field names.</summary>
internal static class SnpClaims
{
    public static JsonObject Build(SnpReport report, SnpVerifiedKey key, SnpTcb reportedTcb)
    {
        var policy = report.Policy;
        bool Bit(ulong value, int bit) => ((value >> bit) & 1) != 0;
        var platform = report.PlatformInfo;
        var claims = new JsonObject
        {
            ["version"] = report.Version,
            ["product"] = key.Generation.ToString(),
            ["guest_svn"] = report.GuestSvn,
            ["policy"] = new JsonObject
            {
                ["value"] = string.Create(CultureInfo.InvariantCulture, $"0x{policy:x}"),
                ["abi_minor"] = (int)(policy & 0xFF),
                ["abi_major"] = (int)((policy >> 8) & 0xFF),
                ["smt_allowed"] = Bit(policy, 16),
                ["migrate_ma"] = Bit(policy, 18),
                ["debug_allowed"] = Bit(policy, 19),
                ["single_socket"] = Bit(policy, 20),
                ["cxl_allowed"] = Bit(policy, 21),
                ["mem_aes_256_xts"] = Bit(policy, 22),
                ["rapl_disabled"] = Bit(policy, 23),
                ["ciphertext_hiding"] = Bit(policy, 24),
                ["page_swap_disabled"] = Bit(policy, 25),
            },
            ["family_id"] = Hex.Of(report.FamilyId),
            ["image_id"] = Hex.Of(report.ImageId),
            ["vmpl"] = report.Vmpl,
            ["current_tcb"] = SnpTcb.FromRaw(report.CurrentTcbRaw, key.Generation).ToJson(),
            ["platform_info"] = new JsonObject
            {
                ["smt_enabled"] = Bit(platform, 0),
                ["tsme_enabled"] = Bit(platform, 1),
                ["ecc_enabled"] = Bit(platform, 2),
                ["rapl_disabled"] = Bit(platform, 3),
                ["ciphertext_hiding_enabled"] = Bit(platform, 4),
                ["alias_check_complete"] = Bit(platform, 5),
                ["tio_enabled"] = Bit(platform, 7),
            },
            ["signing_key"] = key.IsVlek ? "vlek" : "vcek",
            ["mask_chip_key"] = report.MaskChipKey,
            ["author_key_enabled"] = report.AuthorKeyEnabled,
            ["report_data"] = Hex.Of(report.ReportData),
            ["measurement"] = Hex.Of(report.Measurement),
            ["host_data"] = Hex.Of(report.HostData),
            ["id_key_digest"] = Hex.Of(report.IdKeyDigest),
            ["author_key_digest"] = Hex.Of(report.AuthorKeyDigest),
            ["report_id"] = Hex.Of(report.ReportId),
            ["report_id_ma"] = Hex.Of(report.ReportIdMa),
            ["reported_tcb"] = reportedTcb.ToJson(),
            ["chip_id"] = Hex.Of(report.ChipId),
            ["committed_tcb"] = SnpTcb.FromRaw(report.CommittedTcbRaw, key.Generation).ToJson(),
            ["current_version"] = Version(report.CurrentVersion),
            ["committed_version"] = Version(report.CommittedVersion),
            ["launch_tcb"] = SnpTcb.FromRaw(report.LaunchTcbRaw, key.Generation).ToJson(),
        };
        if (report.Version >= 3)
        {
            claims["cpuid"] = new JsonObject
            {
                ["family"] = (int)report.CpuidFamily,
                ["model"] = (int)report.CpuidModel,
                ["stepping"] = (int)report.CpuidStepping,
            };
        }

        if (report.Version >= 5)
        {
            claims["launch_mit_vector"] = string.Create(CultureInfo.InvariantCulture, $"0x{report.LaunchMitigationVector:x}");
            claims["current_mit_vector"] = string.Create(CultureInfo.InvariantCulture, $"0x{report.CurrentMitigationVector:x}");
        }

        if (key.Extensions.CspId is { } csp)
        {
            claims["csp_id"] = csp;
        }

        return claims;
    }

    // Build, minor, major as stored; shown major.minor.build.
    private static string Version(ReadOnlySpan<byte> v) => string.Create(CultureInfo.InvariantCulture, $"{v[2]}.{v[1]}.{v[0]}");
}
