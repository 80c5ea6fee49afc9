namespace PodVm.Attestation.Verification;

/// <summary>Why evidence was rejected: a closed reason plus a message that names what did not match.</summary>
public sealed record VerificationFailure(VerificationFailureReason Reason, string Message)
{
    public override string ToString() => $"{Reason}: {Message}";
}
