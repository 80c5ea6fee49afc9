using System.Text.RegularExpressions;

namespace PodVm.Providers.Azure;

/// <summary>Azure naming rules for VMs and Linux computer names, and which VM sizes carry which TEE.</summary>
internal static partial class AzureNames
{
    public static bool IsValidVmName(string name) => VmNamePattern().IsMatch(name);

    /// <summary>Linux computer names allow letters, digits and '-' only, up to 64 characters.</summary>
    public static string ComputerName(string vmName)
    {
        var chars = vmName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        return new string(chars).Trim('-') is { Length: > 0 } name ? name[..Math.Min(64, name.Length)] : "podvm";
    }

    /// <summary>DCas/ECas (and DCads/ECads) v5/v6 are AMD SEV-SNP; DCes/ECes (and DCeds/ECeds) v5 are Intel TDX.</summary>
    public static bool MatchesTee(string vmSize, AzureTee tee)
    {
        var match = ConfidentialSizePattern().Match(vmSize);
        if (!match.Success)
        {
            return false;
        }

        var features = match.Groups["features"].Value;
        return tee == AzureTee.SevSnp ? features.StartsWith('a') : features.StartsWith('e');
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]$|^[A-Za-z0-9]$")]
    private static partial Regex VmNamePattern();

    [GeneratedRegex("^Standard_[DE]C[0-9]+(?<features>[a-z]+)_v[56]$", RegexOptions.IgnoreCase)]
    private static partial Regex ConfidentialSizePattern();
}
