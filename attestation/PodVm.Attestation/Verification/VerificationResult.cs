using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.Verification;

/// <summary>Either the claims of verified evidence (snake_case JSON close to the specifications) or why it was rejected.</summary>
public sealed record VerificationResult
{
    private VerificationResult(TeeType tee, JsonObject? claims, VerificationFailure? failure)
    {
        Tee = tee;
        Claims = claims;
        Failure = failure;
    }

    public TeeType Tee { get; }

    public JsonObject? Claims { get; }

    public VerificationFailure? Failure { get; }

    [MemberNotNullWhen(true, nameof(Claims))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsVerified => Failure is null;

    public static VerificationResult Verified(TeeType tee, JsonObject claims) => new(tee, claims, null);

    public static VerificationResult Rejected(TeeType tee, VerificationFailureReason reason, string message) =>
        new(tee, null, new VerificationFailure(reason, message));
}
