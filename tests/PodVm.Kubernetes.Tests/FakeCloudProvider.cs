using System.Collections.Concurrent;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Kubernetes.Tests;

/// <summary>An in-memory provider that records every call; deletions can be made to fail.</summary>
internal sealed class FakeCloudProvider : ICloudProvider
{
    private readonly ConcurrentDictionary<string, ProviderInstance> _instances = new();
    private int _failDeletes;

    public FakeCloudProvider(string name = "aws")
    {
        Name = name;
    }

    public string Name { get; }

    public ConcurrentQueue<string> Deleted { get; } = new();

    public ConcurrentQueue<IReadOnlyDictionary<string, string>> ListFilters { get; } = new();

    public ProviderException? ListFailure { get; set; }

    public TaskCompletionSource<string> FirstDelete { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void FailNextDeletes(int count) => _failDeletes = count;

    private readonly SemaphoreSlim _lists = new(0);

    /// <summary>Completes when ListInstancesAsync has been called once more (counting calls not yet awaited).</summary>
    public Task WaitForListAsync() => _lists.WaitAsync();

    public ProviderInstance Add(string id, IReadOnlyDictionary<string, string> tags, DateTimeOffset? createdAt = null)
    {
        var instance = new ProviderInstance
        {
            Id = id,
            Name = "podvm-" + id,
            State = InstanceState.Running,
            Addresses = [new InstanceAddress("10.0.0.5", InstanceAddress.ForwarderPort, AddressKind.Private)],
            Tags = tags,
            CreatedAt = createdAt,
        };
        _instances[id] = instance;
        return instance;
    }

    public bool Has(string id) => _instances.ContainsKey(id);

    public Task<ProviderInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(Add("i-" + request.SandboxId[..8], request.Tags));

    public Task<bool> DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _failDeletes) >= 0)
        {
            throw new ProviderException(ProviderErrorReason.Unavailable, $"injected: the API is unavailable deleting {instanceId}");
        }

        Deleted.Enqueue(instanceId);
        FirstDelete.TrySetResult(instanceId);
        return Task.FromResult(_instances.TryRemove(instanceId, out _));
    }

    public Task<ProviderInstance?> GetInstanceAsync(string instanceId, CancellationToken cancellationToken) =>
        Task.FromResult(_instances.TryGetValue(instanceId, out var instance) ? instance : null);

    public Task<IReadOnlyList<ProviderInstance>> ListInstancesAsync(IReadOnlyDictionary<string, string> tagFilter, CancellationToken cancellationToken)
    {
        ListFilters.Enqueue(tagFilter);
        _lists.Release();
        if (ListFailure is not null)
        {
            throw ListFailure;
        }

        IReadOnlyList<ProviderInstance> result = [.. _instances.Values.Where(i => tagFilter.All(f => i.Tags.TryGetValue(f.Key, out var v) && v == f.Value))];
        return Task.FromResult(result);
    }
}
