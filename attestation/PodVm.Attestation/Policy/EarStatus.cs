namespace PodVm.Attestation.Policy;

/// <summary>AR4SI tiers, from best to worst for ordering: none &lt; affirming &lt; warning &lt; contraindicated.</summary>
public enum EarStatus
{
    None = 0,
    Affirming = 1,
    Warning = 2,
    Contraindicated = 3,
}
