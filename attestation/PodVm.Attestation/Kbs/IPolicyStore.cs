namespace PodVm.Attestation.Kbs;

/// <summary>Stored policy documents: attestation policies by id, and the single resource policy. Null = use the default.</summary>
public interface IPolicyStore
{
    ValueTask<string?> GetAttestationPolicyAsync(string policyId, CancellationToken cancellationToken);

    ValueTask SetAttestationPolicyAsync(string policyId, string document, CancellationToken cancellationToken);

    ValueTask<string?> GetResourcePolicyAsync(CancellationToken cancellationToken);

    ValueTask SetResourcePolicyAsync(string document, CancellationToken cancellationToken);
}
