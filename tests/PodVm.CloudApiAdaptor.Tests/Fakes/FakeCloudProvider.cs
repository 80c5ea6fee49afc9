using System.Collections.Concurrent;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.CloudApiAdaptor.Tests.Fakes;

/// <summary>An in-memory provider: records every call, hands out loopback addresses, fails or stalls on request.</summary>
internal sealed class FakeCloudProvider : ICloudProvider
{
    private readonly ConcurrentDictionary<string, ProviderInstance> _instances = new(StringComparer.Ordinal);
    private int _next;

    public string Name => "fake";

    /// <summary>The port every created instance reports as its HostForward address.</summary>
    public int ForwarderPort { get; set; }

    public Exception? CreateFailure { get; set; }

    public TimeSpan CreateDelay { get; set; }

    public ConcurrentQueue<CreateInstanceRequest> Creates { get; } = new();

    public ConcurrentQueue<string> Deletes { get; } = new();

    public IReadOnlyCollection<ProviderInstance> Instances => _instances.Values.ToList();

    public void Add(ProviderInstance instance) => _instances[instance.Id] = instance;

    public async Task<ProviderInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken)
    {
        Creates.Enqueue(request);
        if (CreateDelay > TimeSpan.Zero)
        {
            await Task.Delay(CreateDelay, cancellationToken);
        }

        if (CreateFailure is { } failure)
        {
            throw failure;
        }

        var instance = new ProviderInstance
        {
            Id = $"i-{Interlocked.Increment(ref _next)}",
            Name = request.InstanceName,
            State = InstanceState.Running,
            Addresses = [new InstanceAddress("127.0.0.1", ForwarderPort, AddressKind.HostForward)],
            Tags = request.Tags,
            InstanceTypeName = request.InstanceType.Name,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        _instances[instance.Id] = instance;
        return instance;
    }

    public Task<bool> DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        Deletes.Enqueue(instanceId);
        return Task.FromResult(_instances.TryRemove(instanceId, out _));
    }

    public Task<ProviderInstance?> GetInstanceAsync(string instanceId, CancellationToken cancellationToken) =>
        Task.FromResult(_instances.TryGetValue(instanceId, out var instance) ? instance : null);

    public Task<IReadOnlyList<ProviderInstance>> ListInstancesAsync(IReadOnlyDictionary<string, string> tagFilter, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProviderInstance>>(_instances.Values
            .Where(i => tagFilter.All(f => i.Tags.TryGetValue(f.Key, out var v) && v == f.Value))
            .OrderBy(i => i.Id, StringComparer.Ordinal)
            .ToList());
}
