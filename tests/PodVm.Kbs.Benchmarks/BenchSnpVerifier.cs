using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Snp;

namespace PodVm.Kbs.Benchmarks;

/// <summary>
/// BENCHMARK ONLY, never registered by the KBS itself. The real SEV-SNP verifier (decoding of Trustee's SnpEvidence
/// JSON, VCEK→ASK→ARK chain to the embedded AMD roots, validity at the current time, the report's ECDSA P-384
/// signature, TCB and chip id, HOST_DATA, claims) with ONE change: the expected REPORT_DATA is replaced by the
/// vector's own fixed REPORT_DATA. A recorded report cannot carry the SHA-384 of this run's nonce and TEE key, so the
/// RCAR runtime-data binding is the one check that cannot hold; the comparison itself still runs, against the fixed
/// value. Everything the KBS does around it (session, nonce, policy, token, resource, JWE) is unchanged.
/// </summary>
internal sealed class BenchSnpVerifier : IEvidenceVerifier
{
    private readonly IEvidenceVerifier _inner = EvidenceVerifiers.CreateSnp(new SnpVerifierOptions(), TimeProvider.System);
    private readonly byte[] _fixedReportData;

    public BenchSnpVerifier(byte[] fixedReportData)
    {
        _fixedReportData = fixedReportData;
    }

    public TeeType Tee => TeeType.Snp;

    public ValueTask<VerificationResult> VerifyAsync(EvidenceToVerify evidence, CancellationToken cancellationToken) =>
        _inner.VerifyAsync(evidence with { ExpectedReportData = _fixedReportData }, cancellationToken);
}
