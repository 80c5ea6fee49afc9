using System.Collections.Concurrent;

namespace PodVm.Attestation.Kbs;

/// <summary>A process-local resource, policy and nonce store (tests, benchmarks, single-replica development).</summary>
public sealed class InMemoryKbsStore(TimeProvider timeProvider) : IResourceStore, IPolicyStore, INonceLedger
{
    private readonly ConcurrentDictionary<string, byte[]> _resources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _policies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nonces = new(StringComparer.Ordinal);
    private string? _resourcePolicy;

    /// <summary>A copy: the caller owns it (RcarService zeroes the plaintext after encrypting it).</summary>
    public ValueTask<byte[]?> GetResourceAsync(string path, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_resources.TryGetValue(path, out var v) ? v.ToArray() : null);

    public ValueTask SetResourceAsync(string path, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        _resources[path] = value.ToArray();
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> DeleteResourceAsync(string path, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_resources.TryRemove(path, out _));

    public ValueTask<string?> GetAttestationPolicyAsync(string policyId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_policies.TryGetValue(policyId, out var v) ? v : null);

    public ValueTask SetAttestationPolicyAsync(string policyId, string document, CancellationToken cancellationToken)
    {
        _policies[policyId] = document;
        return ValueTask.CompletedTask;
    }

    public ValueTask<string?> GetResourcePolicyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Volatile.Read(ref _resourcePolicy));

    public ValueTask SetResourcePolicyAsync(string document, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _resourcePolicy, document);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> TryConsumeAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var (key, expiry) in _nonces)
        {
            if (expiry <= now)
            {
                _nonces.TryRemove(key, out _);
            }
        }

        return ValueTask.FromResult(_nonces.TryAdd(nonce, expiresAt));
    }
}
