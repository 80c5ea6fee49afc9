namespace PodVm.Attestation.ReferenceValues;

/// <summary>A COSE_Sign1 bundle whose signature verified with a configured signer: only now may its payload be read.</summary>
public sealed record VerifiedBundle
{
    public required string ContentType { get; init; }

    public required ReadOnlyMemory<byte> Payload { get; init; }

    public required string SignerKeyId { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? NotAfter { get; init; }
}
