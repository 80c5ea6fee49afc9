using PodVm.Attestation.Policy;

namespace PodVm.Attestation.Kbs;

/// <summary>The token the attestation service issued and the appraisal behind it.</summary>
public sealed record AttestationOutcome(string Token, AppraisalResult Appraisal);
