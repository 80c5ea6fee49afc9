namespace PodVm.Attestation.ReferenceValues;

/// <summary>A CBOR map in a <see cref="CborTree"/>: keys are integers (long), text (string) or other items, in document order.</summary>
public sealed class CborMap
{
    private readonly List<KeyValuePair<object?, object?>> _entries = [];

    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    public void Add(object? key, object? value) => _entries.Add(new(key, value));

    /// <summary>The value under an integer key, or null.</summary>
    public object? Get(long key)
    {
        foreach (var (k, v) in _entries)
        {
            if (k is long l && l == key)
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>The value under a text key, or null.</summary>
    public object? Get(string key)
    {
        foreach (var (k, v) in _entries)
        {
            if (k is string s && string.Equals(s, key, StringComparison.Ordinal))
            {
                return v;
            }
        }

        return null;
    }
}
