namespace PodVm.Attestation.Kbs;

/// <summary>
/// A store that can hand the attestation service everything one appraisal reads (the policy document and the
/// reference values) in a single round trip, from a cache it validates against the store on every call.
/// </summary>
public interface IAppraisalInputSource
{
    /// <summary>The stored policy <paramref name="policyId"/> (null = not stored) and a read-only view of the reference values, both current at the time of the call.</summary>
    ValueTask<AppraisalInputs> GetAppraisalInputsAsync(string policyId, CancellationToken cancellationToken);
}
