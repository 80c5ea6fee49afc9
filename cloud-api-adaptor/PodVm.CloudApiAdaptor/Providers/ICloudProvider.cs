namespace PodVm.CloudApiAdaptor.Providers;

/// <summary>
/// The whole contract between the adaptor core and a place where pod VMs run (local QEMU, AWS, Azure).
/// The core owns policy (instance-type selection, tags, retries, cleanup); a provider only talks to its cloud.
/// Every method is safe to call concurrently for different instances.
/// </summary>
public interface ICloudProvider
{
    /// <summary>Short, stable name used in configuration, tags, logs and metrics ("local", "aws", "azure").</summary>
    string Name { get; }

    /// <summary>
    /// Creates one VM for a pod, delivers <see cref="CreateInstanceRequest.UserData"/> to it, and returns once the
    /// instance exists and has the addresses the adaptor needs to reach its forwarder. A retried call with the same
    /// <see cref="CreateInstanceRequest.IdempotencyKey"/> must never start a second VM. On failure everything created
    /// so far is deleted before the exception escapes.
    /// </summary>
    /// <exception cref="ProviderException">with a reason the adaptor can act on (capacity, quota, image...).</exception>
    Task<ProviderInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the VM and everything created with it (disks, NICs, sockets, ports). Idempotent: deleting an
    /// instance that is already gone, or was never known, succeeds and returns false.
    /// </summary>
    Task<bool> DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Reports an instance's current state and addresses, or null when the provider does not know it.</summary>
    Task<ProviderInstance?> GetInstanceAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>
    /// Lists the instances that carry every tag in <paramref name="tagFilter"/> (exact key and value match), including
    /// ones created before this process started. Used by the reconciler to find VMs that no pod claims.
    /// </summary>
    Task<IReadOnlyList<ProviderInstance>> ListInstancesAsync(
        IReadOnlyDictionary<string, string> tagFilter, CancellationToken cancellationToken);

    /// <summary>
    /// The sizes this provider offers, with their vCPUs and memory, for the core's best-fit selection (upstream asks
    /// the cloud at start-up: EC2 DescribeInstanceTypes, Azure VM sizes). Empty = the adaptor's configured catalogue.
    /// </summary>
    ValueTask<IReadOnlyList<InstanceType>> GetInstanceTypesAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<InstanceType>>([]);

    /// <summary>The largest user data this provider can deliver, in bytes (EC2: 16 KiB; Azure: 64 KiB).</summary>
    int MaxUserDataBytes => 64 * 1024;
}
