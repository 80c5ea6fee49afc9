namespace PodVm.Attestation.Policy;

/// <summary>One comparison of the attestation policy: a claim (first present pointer wins) against a named reference value.</summary>
public sealed record AppraisalRule
{
    /// <summary>JSON pointers into the verifier's claims; alternatives for different claim layouts.</summary>
    public required IReadOnlyList<string> Claims { get; init; }

    public required string Reference { get; init; }

    public ReferenceMatch Match { get; init; } = ReferenceMatch.In;

    /// <summary>The AR4SI component this rule speaks for.</summary>
    public required string Component { get; init; }

    /// <summary>Value when the claim matches (affirming tier by default).</summary>
    public int Affirm { get; init; } = TrustTiers.Approved;

    /// <summary>Value when it does not (contraindicated by default).</summary>
    public int Mismatch { get; init; } = TrustTiers.Contraindicated;

    /// <summary>When true, an absent claim skips the rule instead of counting as a mismatch.</summary>
    public bool Optional { get; init; }
}
