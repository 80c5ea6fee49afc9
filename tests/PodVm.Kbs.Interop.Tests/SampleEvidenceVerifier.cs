using System.Text.Json;
using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;

namespace PodVm.Kbs.Interop.Tests;

/// <summary>Trustee "sample" evidence {"svn","report_data"(base64 of the binding digest)}, enabled only in these tests.</summary>
internal sealed class SampleEvidenceVerifier : IEvidenceVerifier
{
    public TeeType Tee => TeeType.Sample;

    public ValueTask<VerificationResult> VerifyAsync(EvidenceToVerify evidence, CancellationToken cancellationToken)
    {
        try
        {
            var json = JsonNode.Parse(evidence.Evidence.Span) as JsonObject;
            var reportData = Convert.FromBase64String((string?)json?["report_data"] ?? "");
            var expected = evidence.ExpectedReportData.Span;
            if (reportData.Length > expected.Length || !expected[..reportData.Length].SequenceEqual(reportData) || expected[reportData.Length..].ContainsAnyExcept((byte)0))
            {
                return ValueTask.FromResult(VerificationResult.Rejected(TeeType.Sample, VerificationFailureReason.ReportDataMismatch, "report_data does not carry the runtime data binding"));
            }

            return ValueTask.FromResult(VerificationResult.Verified(TeeType.Sample, new JsonObject { ["svn"] = (string?)json!["svn"] ?? "0" }));
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return ValueTask.FromResult(VerificationResult.Rejected(TeeType.Sample, VerificationFailureReason.MalformedEvidence, ex.Message));
        }
    }
}
