using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// SEV-SNP evidence (binary, hex or Trustee JSON) → claims. After the report checks (<see cref="SnpReportVerifier"/>)
/// it checks the freshness binding: REPORT_DATA equals the expected report data zero-padded to 64 bytes, and HOST_DATA
/// the initdata digest truncated to 32 bytes. Whether the claims are acceptable (debug, VMPL, measurement) is the
/// attestation policy's decision.
/// </summary>
internal sealed class SnpVerifier : IEvidenceVerifier
{
    private readonly SnpReportVerifier _reports;
    private readonly TimeProvider _time;

    public SnpVerifier(SnpVerifierOptions options, TimeProvider time)
    {
        _reports = new SnpReportVerifier(options);
        _time = time;
    }

    public TeeType Tee => TeeType.Snp;

    public ValueTask<VerificationResult> VerifyAsync(EvidenceToVerify evidence, CancellationToken cancellationToken) =>
        VerifierGuard.RunAsync(Tee, evidence, async () =>
        {
            var input = SnpEvidenceDecoder.Decode(evidence.Evidence, evidence.ParsedJson);
            var report = SnpReport.Parse(input.Report);
            var certificates = input.Certificates.Concat(evidence.Certificates).ToList();
            var at = evidence.At ?? _time.GetUtcNow();
            var claims = await _reports.VerifyAsync(report, certificates, at, cancellationToken).ConfigureAwait(false);
            Binding.RequireEqual(report.ReportData, evidence.ExpectedReportData.Span, 64, VerificationFailureReason.ReportDataMismatch, "REPORT_DATA");
            Binding.RequireEqual(report.HostData, evidence.ExpectedInitDataDigest.Span, 32, VerificationFailureReason.InitDataMismatch, "HOST_DATA");
            return VerificationResult.Verified(Tee, claims);
        });
}
