namespace PodVm.CloudApiAdaptor.Providers;

/// <summary>Everything a provider needs to start one pod VM. Built by the adaptor core, never by a provider.</summary>
public sealed record CreateInstanceRequest
{
    /// <summary>The Kata sandbox id; also the base of the idempotency key.</summary>
    public required string SandboxId { get; init; }

    /// <summary>Name for the instance in the provider (unique per installation, e.g. "podvm-web-1-3f2a9c1d").</summary>
    public required string InstanceName { get; init; }

    /// <summary>The instance type chosen by the core's selection policy.</summary>
    public required InstanceType InstanceType { get; init; }

    /// <summary>
    /// Further allowed instance types, in the order the core's selection policy prefers them. A provider tries them in
    /// turn when the cloud has no capacity for <see cref="InstanceType"/>; empty means no fallback.
    /// </summary>
    public IReadOnlyList<InstanceType> FallbackInstanceTypes { get; init; } = [];

    /// <summary>Provider-specific image reference (AMI id, Azure image id, local image directory); null = provider default.</summary>
    public string? Image { get; init; }

    /// <summary>The pod VM configuration (forwarder TLS material, initdata, pod identity) as the guest reads it.</summary>
    public required ReadOnlyMemory<byte> UserData { get; init; }

    /// <summary>Tags to put on the instance and everything created with it; see <see cref="InstanceTags"/>.</summary>
    public required IReadOnlyDictionary<string, string> Tags { get; init; }

    /// <summary>
    /// The digest of the pod's initdata (with the algorithm initdata names), or empty when the pod has none. A provider
    /// that can bind it at launch does (SEV-SNP HOST_DATA, the local development TEE's host data: its first 32 bytes).
    /// </summary>
    public ReadOnlyMemory<byte> InitDataDigest { get; init; }

    /// <summary>Request a confidential VM (SEV-SNP, TDX, or the local development TEE).</summary>
    public bool Confidential { get; init; }

    /// <summary>Attach a (v)TPM to the VM.</summary>
    public bool Tpm { get; init; }

    /// <summary>Stable per pod: a retried create with the same key must not create a second VM.</summary>
    public string IdempotencyKey => SandboxId;
}
