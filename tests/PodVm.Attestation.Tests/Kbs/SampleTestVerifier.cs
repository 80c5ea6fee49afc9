using System.Text.Json;
using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>
/// Trustee's "sample" evidence for KBS tests: <c>{"svn":"1","report_data":"&lt;base64 of the binding digest&gt;"}</c>.
/// The report data must equal the expected binding (the 64-byte form truncated to its length, rest zero).
/// </summary>
internal sealed class SampleTestVerifier : IEvidenceVerifier
{
    public TeeType Tee => TeeType.Sample;

    public ValueTask<VerificationResult> VerifyAsync(EvidenceToVerify evidence, CancellationToken cancellationToken)
    {
        try
        {
            var json = JsonNode.Parse(evidence.Evidence.Span) as JsonObject;
            var reportData = Convert.FromBase64String((string?)json?["report_data"] ?? "");
            var expected = evidence.ExpectedReportData.Span;
            var matches = reportData.Length <= expected.Length
                && expected[..reportData.Length].SequenceEqual(reportData)
                && !expected[reportData.Length..].ContainsAnyExcept((byte)0);
            if (!matches)
            {
                return ValueTask.FromResult(VerificationResult.Rejected(TeeType.Sample, VerificationFailureReason.ReportDataMismatch, "report_data does not carry the runtime data binding"));
            }

            return ValueTask.FromResult(VerificationResult.Verified(TeeType.Sample, new JsonObject
            {
                ["svn"] = (string?)json!["svn"] ?? "0",
                ["report_data"] = Convert.ToHexStringLower(reportData),
            }));
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return ValueTask.FromResult(VerificationResult.Rejected(TeeType.Sample, VerificationFailureReason.MalformedEvidence, ex.Message));
        }
    }
}
