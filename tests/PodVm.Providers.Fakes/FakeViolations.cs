using System.Collections.Concurrent;

namespace PodVm.Providers.Fakes;

/// <summary>
/// What a fake saw that the real API would have rejected or that its contract forbids. Tests call
/// <see cref="AssertNone"/> at the end, so a fake that silently accepted a bad request still fails the test.
/// </summary>
public sealed class FakeViolations
{
    private readonly ConcurrentQueue<string> _items = new();

    public IReadOnlyCollection<string> Items => _items.ToArray();

    public void Add(string violation) => _items.Enqueue(violation);

    public void AssertNone()
    {
        var items = _items.ToArray();
        if (items.Length > 0)
        {
            throw new InvalidOperationException(
                $"the fake received {items.Length} request(s) the real API would reject:\n  " + string.Join("\n  ", items));
        }
    }
}
