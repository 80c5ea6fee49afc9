namespace PodVm.Attestation.Policy;

/// <summary>How a claim is compared with its reference value set.</summary>
public enum ReferenceMatch
{
    /// <summary>The claim equals one of the reference values.</summary>
    In = 0,
    /// <summary>The claim is a number at least the smallest reference value (SVNs, TCB components).</summary>
    Min,
    /// <summary>The claim is a number at most the largest reference value.</summary>
    Max,
}
