using PodVm.Attestation.Verification;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>
/// Raised inside a verifier when a check fails; <see cref="VerifierGuard"/> turns it into a rejection, so it never
/// leaves a verifier.
/// </summary>
internal sealed class VerificationException : Exception
{
    public VerificationException(VerificationFailureReason reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public VerificationException()
        : this(VerificationFailureReason.MalformedEvidence, "malformed evidence")
    {
    }

    public VerificationException(string message)
        : this(VerificationFailureReason.MalformedEvidence, message)
    {
    }

    public VerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = VerificationFailureReason.MalformedEvidence;
    }

    public VerificationFailureReason Reason { get; }

    public static VerificationException Malformed(string message) => new(VerificationFailureReason.MalformedEvidence, message);
}
