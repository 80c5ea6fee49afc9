using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;
using PodVm.Attestation.Verifiers.Tpm;

namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>
/// Intel TDX evidence: a raw quote (v4/v5) or Trustee's <c>{"quote": b64, "cc_eventlog": b64|null}</c>. After the quote
/// checks (<see cref="TdxQuoteVerifier"/>) it replays the CC event log, when present, into RTMR0–3 (CC MR index 1–4,
/// SHA-384) and requires equality; then REPORTDATA (zero-padded 64) and MRCONFIGID (48, initdata).
/// </summary>
internal sealed class TdxVerifier : IEvidenceVerifier
{
    private readonly TdxQuoteVerifier _quotes;
    private readonly TimeProvider _time;

    public TdxVerifier(TdxVerifierOptions options, TimeProvider time)
    {
        _quotes = new TdxQuoteVerifier(options);
        _time = time;
    }

    public TeeType Tee => TeeType.Tdx;

    public ValueTask<VerificationResult> VerifyAsync(EvidenceToVerify evidence, CancellationToken cancellationToken) =>
        VerifierGuard.RunAsync(Tee, evidence, async () =>
        {
            var quoteBytes = evidence.Evidence.ToArray();
            byte[]? eventLog = null;
            if (JsonEvidence.LooksLikeJson(evidence.Evidence.Span))
            {
                using var document = JsonEvidence.Parse(evidence.Evidence, "TDX evidence");
                quoteBytes = JsonEvidence.Base64(JsonEvidence.Property(document.RootElement, "quote", "TDX evidence"), "quote");
                eventLog = JsonEvidence.OptionalProperty(document.RootElement, "cc_eventlog") is { } log ? JsonEvidence.Base64(log, "cc_eventlog") : null;
            }

            var quote = TdxQuote.Parse(quoteBytes);
            var claims = await _quotes.VerifyAsync(quote, evidence.At ?? _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (eventLog is not null)
            {
                claims["cc_eventlog_rtmrs"] = ReplayRtmrs(eventLog, quote);
            }

            Binding.RequireEqual(quote.ReportData, evidence.ExpectedReportData.Span, 64, VerificationFailureReason.ReportDataMismatch, "REPORTDATA");
            Binding.RequireEqual(quote.MrConfigId, evidence.ExpectedInitDataDigest.Span, 48, VerificationFailureReason.InitDataMismatch, "MRCONFIGID");
            return VerificationResult.Verified(Tee, claims);
        });

    private static JsonObject ReplayRtmrs(byte[] eventLog, TdxQuote quote)
    {
        var replayed = TcgEventLog.Parse(eventLog).Replay();
        if (!replayed.TryGetValue(TpmHash.Sha384, out var registers))
        {
            throw new VerificationException(VerificationFailureReason.MeasurementMismatch, "the CC event log has no SHA-384 digests");
        }

        var result = new JsonObject();
        for (var i = 0; i < 4; i++)
        {
            var value = registers.TryGetValue(i + 1, out var v) ? v : new byte[48];
            if (!quote.Rtmr(i).SequenceEqual(value))
            {
                throw new VerificationException(VerificationFailureReason.MeasurementMismatch, $"the CC event log replays RTMR{i} to {Hex.Of(value)}, the quote has {Hex.Of(quote.Rtmr(i))}");
            }

            result[$"rtmr{i}"] = Hex.Of(value);
        }

        return result;
    }
}
