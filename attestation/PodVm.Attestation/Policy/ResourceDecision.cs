namespace PodVm.Attestation.Policy;

/// <summary>Whether a resource may be released, and which rule (or the absence of one) decided.</summary>
public sealed record ResourceDecision(bool Allowed, string Reason);
