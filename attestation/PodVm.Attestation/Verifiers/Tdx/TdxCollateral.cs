namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>
/// Intel PCS collateral for a platform, each part optional: TDX TCB info and TD QE identity (JSON as served, with
/// their signature), the TCB-Info issuer chain (PEM: TCB signing certificate, Intel SGX Root CA), the PCK CRL of the
/// PCK's issuing CA and the Root CA CRL (DER or PEM).
/// </summary>
public sealed record TdxCollateral
{
    public ReadOnlyMemory<byte> TcbInfoJson { get; init; }

    public ReadOnlyMemory<byte> QeIdentityJson { get; init; }

    public ReadOnlyMemory<byte> IssuerChainPem { get; init; }

    public ReadOnlyMemory<byte> PckCrl { get; init; }

    public ReadOnlyMemory<byte> RootCaCrl { get; init; }
}
