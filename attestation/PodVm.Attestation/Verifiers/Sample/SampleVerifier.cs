using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Sample;

/// <summary>
/// Trustee's <c>sample</c> evidence, <c>{"svn": "1", "report_data": "&lt;base64&gt;"}</c>: only the report data is checked
/// (it equals the raw 48-byte binding digest). Disabled (TeeDisabled) unless explicitly enabled; its claims are
/// Trustee's fixed sample claims plus <c>"sample": true</c>, so policies can (and by default do) deny it.
/// </summary>
internal sealed class SampleVerifier : IEvidenceVerifier
{
    private readonly SampleVerifierOptions _options;

    public SampleVerifier(SampleVerifierOptions options)
    {
        _options = options;
    }

    public TeeType Tee => TeeType.Sample;

    public ValueTask<VerificationResult> VerifyAsync(EvidenceToVerify evidence, CancellationToken cancellationToken) =>
        ValueTask.FromResult(VerifierGuard.Run(Tee, evidence, () =>
        {
            if (!_options.Enabled)
            {
                throw new VerificationException(VerificationFailureReason.TeeDisabled, "the sample TEE is disabled");
            }

            using var document = JsonEvidence.Parse(evidence.Evidence, "sample evidence");
            var root = document.RootElement;
            var svn = JsonEvidence.String(JsonEvidence.Property(root, "svn", "sample evidence"), "svn");
            var reportData = JsonEvidence.Base64(JsonEvidence.Property(root, "report_data", "sample evidence"), "report_data");
            if (!evidence.ExpectedReportData.IsEmpty && !reportData.AsSpan().SequenceEqual(TrimPadding(evidence.ExpectedReportData.Span, reportData.Length)))
            {
                throw new VerificationException(VerificationFailureReason.ReportDataMismatch, "the sample report_data is not the expected binding");
            }

            return VerificationResult.Verified(Tee, new JsonObject
            {
                ["sample"] = true,
                ["svn"] = svn,
                ["report_data"] = Hex.Of(reportData),
                ["launch_digest"] = "abcde",
                ["platform_version"] = new JsonObject { ["major"] = 1, ["minor"] = 4 },
                ["debug"] = false,
            });
        }));

    // Trustee compares the raw digest; a caller that passes the 64-byte zero-padded form is compared on the digest part.
    private static ReadOnlySpan<byte> TrimPadding(ReadOnlySpan<byte> expected, int length) =>
        expected.Length > length && !expected[length..].ContainsAnyExcept((byte)0) ? expected[..length] : expected;
}
