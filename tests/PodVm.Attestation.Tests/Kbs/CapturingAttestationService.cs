using PodVm.Attestation.Kbs;
using PodVm.Attestation.Policy;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>An attestation service that records what RcarService hands it and affirms everything (RCAR tests only).</summary>
internal sealed class CapturingAttestationService : IAttestationService
{
    public List<AttestationEvaluationRequest> Requests { get; } = [];

    public ValueTask<AttestationOutcome> EvaluateAsync(AttestationEvaluationRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        var appraisal = new AppraisalResult { PolicyId = "default", TrustVector = new TrustVector(), Findings = [] };
        return ValueTask.FromResult(new AttestationOutcome("header.payload.signature", appraisal));
    }

    public ValueTask SetPolicyAsync(string policyId, string document, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
