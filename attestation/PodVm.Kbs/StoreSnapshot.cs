using PodVm.Attestation.ReferenceValues;

namespace PodVm.Kbs;

/// <summary>
/// An in-memory copy of the policies and reference values of a <see cref="SqliteKbsStore"/> at one store generation.
/// Read-only; expiry is applied at read time with the same whole-second rule as the SQL queries (expires &gt; now).
/// </summary>
internal sealed class StoreSnapshot(
    long generation,
    IReadOnlyDictionary<string, string> policies,
    IReadOnlyDictionary<string, ReferenceValue> referenceValues,
    TimeProvider timeProvider) : IReferenceValueStore
{
    public long Generation { get; } = generation;

    public string? GetPolicy(string id) => policies.GetValueOrDefault(id);

    public ReferenceValue? Get(string name) =>
        referenceValues.TryGetValue(name, out var value) && IsLive(value, Now()) ? value : null;

    public IReadOnlyList<ReferenceValue> List()
    {
        var now = Now();
        return [.. referenceValues.Values.Where(v => IsLive(v, now)).OrderBy(v => v.Name, StringComparer.Ordinal)];
    }

    public ValueTask<ReferenceValue?> GetAsync(string name, CancellationToken cancellationToken) => ValueTask.FromResult(Get(name));

    public ValueTask<IReadOnlyList<ReferenceValue>> ListAsync(CancellationToken cancellationToken) => ValueTask.FromResult(List());

    public ValueTask SetAsync(IReadOnlyList<ReferenceValue> values, CancellationToken cancellationToken) =>
        throw new NotSupportedException("a store snapshot is read-only; write through the SqliteKbsStore");

    public ValueTask<bool> RemoveAsync(string name, CancellationToken cancellationToken) =>
        throw new NotSupportedException("a store snapshot is read-only; write through the SqliteKbsStore");

    private long Now() => timeProvider.GetUtcNow().ToUnixTimeSeconds();

    private static bool IsLive(ReferenceValue value, long now) => value.Expiration.ToUnixTimeSeconds() > now;
}
