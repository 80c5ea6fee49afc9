namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>
/// Settings of the generic TPM verifier: how attestation keys are trusted. With neither list set, any AK whose quote
/// verifies is accepted with <c>"ak_trusted": false</c> in the claims and the decision is left to the attestation
/// policy (Trustee's <c>trusted_aks</c> reference value); with either set, other AKs are rejected.
/// </summary>
public sealed record TpmVerifierOptions
{
    /// <summary>Trusted AK public keys: DER SubjectPublicKeyInfo or PEM "PUBLIC KEY".</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> TrustedAkPublicKeys { get; init; } = [];

    /// <summary>Roots an AK certificate chain must lead to (DER or PEM certificates).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> TrustedAkRoots { get; init; } = [];
}
