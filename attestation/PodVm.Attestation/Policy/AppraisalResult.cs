namespace PodVm.Attestation.Policy;

/// <summary>The outcome of the attestation policy for one piece of evidence: an AR4SI vector, its status and why.</summary>
public sealed record AppraisalResult
{
    public required string PolicyId { get; init; }

    public required TrustVector TrustVector { get; init; }

    public EarStatus Status => TrustVector.Status;

    /// <summary>Human-readable findings (never secrets): which rule lowered which component.</summary>
    public required IReadOnlyList<string> Findings { get; init; }
}
