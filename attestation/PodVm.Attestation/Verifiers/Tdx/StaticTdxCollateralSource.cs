namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>Serves one fixed set of collateral for every platform (offline verification, the CLI's --collateral DIR, tests).</summary>
public sealed class StaticTdxCollateralSource : ITdxCollateralSource
{
    private readonly TdxCollateral _collateral;

    public StaticTdxCollateralSource(TdxCollateral collateral)
    {
        _collateral = collateral;
    }

    /// <summary>
    /// Reads a directory with any of: tcbInfo.json, enclaveIdentity.json (or qeIdentity.json), an issuer chain
    /// (*issuer-chain*.pem), pckcrl (or pckcrl.der/.pem) and rootcrl (rootcrl.der/.pem).
    /// </summary>
    public static StaticTdxCollateralSource FromDirectory(string directory)
    {
        ReadOnlyMemory<byte> Read(params string[] patterns)
        {
            foreach (var pattern in patterns)
            {
                var file = Directory.EnumerateFiles(directory, pattern).Order(StringComparer.Ordinal).FirstOrDefault();
                if (file is not null)
                {
                    return File.ReadAllBytes(file);
                }
            }

            return ReadOnlyMemory<byte>.Empty;
        }

        return new StaticTdxCollateralSource(new TdxCollateral
        {
            TcbInfoJson = Read("tcbInfo.json", "tcb-info.json", "tcb_info.json"),
            QeIdentityJson = Read("enclaveIdentity.json", "qeIdentity.json", "qe-identity.json", "qe_identity.json"),
            IssuerChainPem = Read("*issuer-chain*.pem", "*issuer_chain*.pem"),
            PckCrl = Read("pckcrl", "pckcrl.der", "pckcrl.pem", "pck-crl.der"),
            RootCaCrl = Read("rootcrl", "rootcrl.der", "rootcrl.pem", "root-crl.der", "rootcacrl.der"),
        });
    }

    public ValueTask<TdxCollateral?> GetCollateralAsync(string fmspc, string pckCa, CancellationToken cancellationToken) =>
        ValueTask.FromResult<TdxCollateral?>(_collateral);
}
