using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;

namespace PodVm.Kbs.Benchmarks;

/// <summary>Trustee "sample" evidence for the benchmark: checks only the report data binding (no signature).</summary>
internal sealed class BenchSampleVerifier : IEvidenceVerifier
{
    public TeeType Tee => TeeType.Sample;

    public ValueTask<VerificationResult> VerifyAsync(EvidenceToVerify evidence, CancellationToken cancellationToken)
    {
        var json = JsonNode.Parse(evidence.Evidence.Span) as JsonObject;
        var reportData = Convert.FromBase64String((string?)json?["report_data"] ?? "");
        var ok = reportData.Length <= evidence.ExpectedReportData.Length && evidence.ExpectedReportData.Span[..reportData.Length].SequenceEqual(reportData);
        return ValueTask.FromResult(ok
            ? VerificationResult.Verified(TeeType.Sample, new JsonObject { ["svn"] = (string?)json!["svn"] })
            : VerificationResult.Rejected(TeeType.Sample, VerificationFailureReason.ReportDataMismatch, "report_data"));
    }
}
