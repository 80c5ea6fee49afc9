namespace PodVm.Attestation.Verifiers.LocalDev;

/// <summary>
/// Settings of the local development TEE verifier. It is OFF unless at least one platform key is trusted: the reports
/// are only as trustworthy as the host that signs them, so this is for development clusters, never production.
/// </summary>
public sealed record LocalDevTeeVerifierOptions
{
    /// <summary>Trusted platform public keys (ECDSA P-384), each as DER SubjectPublicKeyInfo or PEM "PUBLIC KEY".</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> TrustedPlatformKeys { get; init; } = [];

    /// <summary>How old a report may be at the verification time.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How far a report's timestamp may lie in the future (clock skew between the host and the verifier).</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(2);
}
