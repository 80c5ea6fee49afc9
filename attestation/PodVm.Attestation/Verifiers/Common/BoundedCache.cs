using System.Collections.Concurrent;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>
/// A thread-safe cache of at most <c>capacity</c> entries that starts over when full. Verifiers store in it only what
/// they derived from input bytes alone (decoded and signature-checked certificates, imported keys), keyed by those
/// bytes' <see cref="ContentKey"/>, and only after every check passed; anything that depends on the verification time
/// or on a revocation list is checked again on every use.
/// </summary>
internal sealed class BoundedCache<TValue>
    where TValue : class
{
    private readonly ConcurrentDictionary<ContentKey, TValue> _entries = new();
    private readonly int _capacity;

    public BoundedCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    public int Count => _entries.Count;

    public bool TryGet(ContentKey key, out TValue value) => _entries.TryGetValue(key, out value!);

    public TValue Add(ContentKey key, TValue value)
    {
        if (_entries.Count >= _capacity)
        {
            _entries.Clear();
        }

        return _entries.GetOrAdd(key, value);
    }

    public TValue GetOrAdd(ContentKey key, Func<TValue> create)
    {
        if (_entries.TryGetValue(key, out var existing))
        {
            return existing;
        }

        return Add(key, create());
    }
}
