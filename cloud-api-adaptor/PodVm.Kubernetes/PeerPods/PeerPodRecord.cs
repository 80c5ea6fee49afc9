namespace PodVm.Kubernetes.PeerPods;

/// <summary>What the adaptor knows about a pod VM when it records or releases it.</summary>
public sealed record PeerPodRecord
{
    public required string PodNamespace { get; init; }
    public required string PodName { get; init; }
    public required string SandboxId { get; init; }

    /// <summary><c>ICloudProvider.Name</c> of the provider that created the instance.</summary>
    public required string CloudProvider { get; init; }

    public required string InstanceId { get; init; }

    public string? NodeName { get; init; }

    /// <summary>
    /// The PeerPod's name: upstream's "&lt;pod&gt;-resource-&lt;suffix&gt;", with the first 8 characters of the sandbox id as
    /// the suffix (not random), so that a retried or re-attached record finds the object it wrote before.
    /// </summary>
    public string PeerPodName
    {
        get
        {
            var suffix = "-resource-" + (SandboxId.Length > 8 ? SandboxId[..8] : SandboxId).ToLowerInvariant();
            var pod = PodName.Length + suffix.Length > 253 ? PodName[..(253 - suffix.Length)] : PodName;
            return pod + suffix;
        }
    }
}
