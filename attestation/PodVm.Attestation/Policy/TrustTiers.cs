namespace PodVm.Attestation.Policy;

/// <summary>AR4SI value → tier (veraison rust-ear): -1..1 none, |v| &lt; 32 affirming, |v| &lt; 96 warning, else contraindicated.</summary>
public static class TrustTiers
{
    /// <summary>AR4SI "no claim".</summary>
    public const int NoClaim = 0;

    /// <summary>Used for a claim that matched its reference value (AR4SI "approved", affirming).</summary>
    public const int Approved = 2;

    /// <summary>Used for a claim that matched but is second-best, e.g. executables approved without boot (affirming).</summary>
    public const int ApprovedBoot = 3;

    /// <summary>Used when a claim is not recognised and the policy only warns (warning).</summary>
    public const int Unrecognized = 32;

    /// <summary>Used for a claim that contradicts its reference value, or debug mode (contraindicated).</summary>
    public const int Contraindicated = 96;

    /// <summary>Used when there is no reference value to compare with, or the TEE type is not allowed (contraindicated).</summary>
    public const int NoReference = 97;

    public static EarStatus Tier(int value) => value switch
    {
        >= -1 and <= 1 => EarStatus.None,
        > -32 and < 32 => EarStatus.Affirming,
        > -96 and < 96 => EarStatus.Warning,
        _ => EarStatus.Contraindicated,
    };

    /// <summary>The worse of two values: the higher tier wins; within a tier, the larger magnitude.</summary>
    public static int Worse(int a, int b)
    {
        var ta = Tier(a);
        var tb = Tier(b);
        if (ta != tb)
        {
            return ta > tb ? a : b;
        }

        return Math.Abs(a) >= Math.Abs(b) ? a : b;
    }

    public static string Name(EarStatus status) => status switch
    {
        EarStatus.Affirming => "affirming",
        EarStatus.Warning => "warning",
        EarStatus.Contraindicated => "contraindicated",
        _ => "none",
    };

    public static EarStatus? Parse(string? name) => name switch
    {
        "none" => EarStatus.None,
        "affirming" => EarStatus.Affirming,
        "warning" => EarStatus.Warning,
        "contraindicated" => EarStatus.Contraindicated,
        _ => null,
    };
}
