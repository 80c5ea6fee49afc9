namespace PodVm.Attestation.Verifiers.Sample;

/// <summary>Trustee's <c>sample</c> TEE has no hardware and no signature: it is accepted only when this is set.</summary>
public sealed record SampleVerifierOptions
{
    public bool Enabled { get; init; }
}
