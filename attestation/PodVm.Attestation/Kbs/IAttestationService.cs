namespace PodVm.Attestation.Kbs;

/// <summary>
/// Trustee's attestation service: evidence → EAR token, policies, challenges. The KBS uses the local
/// <see cref="AttestationEvaluator"/> or a remote service over gRPC (attestation.AttestationService).
/// </summary>
public interface IAttestationService
{
    ValueTask<AttestationOutcome> EvaluateAsync(AttestationEvaluationRequest request, CancellationToken cancellationToken);

    ValueTask SetPolicyAsync(string policyId, string document, CancellationToken cancellationToken);
}
