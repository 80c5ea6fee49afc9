using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>
/// Runs a verification so that nothing but cancellation escapes: a failed check becomes its rejection reason, and
/// any other exception from parsing or decoding (truncated, oversized or corrupted input) becomes MalformedEvidence.
/// </summary>
internal static class VerifierGuard
{
    /// <summary>Evidence larger than this is rejected before it is parsed.</summary>
    public const int MaxEvidenceBytes = 4 * 1024 * 1024;

    public static VerificationResult Run(TeeType tee, EvidenceToVerify evidence, Func<VerificationResult> verify)
    {
        if (evidence.Evidence.Length > MaxEvidenceBytes)
        {
            return VerificationResult.Rejected(tee, VerificationFailureReason.MalformedEvidence, $"evidence is {evidence.Evidence.Length} bytes, more than the {MaxEvidenceBytes} accepted");
        }

        try
        {
            return verify();
        }
        catch (VerificationException e)
        {
            return VerificationResult.Rejected(tee, e.Reason, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return VerificationResult.Rejected(tee, VerificationFailureReason.MalformedEvidence, $"undecodable evidence ({e.GetType().Name}: {e.Message})");
        }
    }

    public static async ValueTask<VerificationResult> RunAsync(TeeType tee, EvidenceToVerify evidence, Func<ValueTask<VerificationResult>> verify)
    {
        if (evidence.Evidence.Length > MaxEvidenceBytes)
        {
            return VerificationResult.Rejected(tee, VerificationFailureReason.MalformedEvidence, $"evidence is {evidence.Evidence.Length} bytes, more than the {MaxEvidenceBytes} accepted");
        }

        try
        {
            return await verify().ConfigureAwait(false);
        }
        catch (VerificationException e)
        {
            return VerificationResult.Rejected(tee, e.Reason, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return VerificationResult.Rejected(tee, VerificationFailureReason.MalformedEvidence, $"undecodable evidence ({e.GetType().Name}: {e.Message})");
        }
    }
}
