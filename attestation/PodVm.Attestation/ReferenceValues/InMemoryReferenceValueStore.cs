using System.Collections.Concurrent;

namespace PodVm.Attestation.ReferenceValues;

/// <summary>A process-local <see cref="IReferenceValueStore"/> that honours expiry through the <see cref="TimeProvider"/>.</summary>
public sealed class InMemoryReferenceValueStore(TimeProvider timeProvider) : IReferenceValueStore
{
    private readonly ConcurrentDictionary<string, ReferenceValue> _values = new(StringComparer.Ordinal);

    public ValueTask<ReferenceValue?> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (_values.TryGetValue(name, out var value) && !value.IsExpiredAt(timeProvider.GetUtcNow()))
        {
            return ValueTask.FromResult<ReferenceValue?>(value);
        }

        return ValueTask.FromResult<ReferenceValue?>(null);
    }

    public ValueTask<IReadOnlyList<ReferenceValue>> ListAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        IReadOnlyList<ReferenceValue> list = [.. _values.Values.Where(v => !v.IsExpiredAt(now)).OrderBy(v => v.Name, StringComparer.Ordinal)];
        return ValueTask.FromResult(list);
    }

    public ValueTask SetAsync(IReadOnlyList<ReferenceValue> values, CancellationToken cancellationToken)
    {
        foreach (var v in values)
        {
            _values[v.Name] = v;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> RemoveAsync(string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_values.TryRemove(name, out _));
}
