namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>Where the TDX verifier gets collateral for a platform (FMSPC, hex upper-case) and PCK CA ("platform" or "processor").</summary>
public interface ITdxCollateralSource
{
    ValueTask<TdxCollateral?> GetCollateralAsync(string fmspc, string pckCa, CancellationToken cancellationToken);
}
