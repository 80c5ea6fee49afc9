namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>Settings of the TDX verifier.</summary>
public sealed record TdxVerifierOptions
{
    /// <summary>Collateral (TCB info, QE identity, CRLs); without it the quote is verified to the Intel root and tcb_status is "NotEvaluated".</summary>
    public ITdxCollateralSource? CollateralSource { get; init; }
}
