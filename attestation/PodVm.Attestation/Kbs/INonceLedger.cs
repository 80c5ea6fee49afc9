namespace PodVm.Attestation.Kbs;

/// <summary>
/// Records challenge nonces that have been used for an attestation, so evidence cannot be replayed within a session's
/// lifetime. Replicas must share it (the SQLite store on shared storage, or another implementation).
/// </summary>
public interface INonceLedger
{
    /// <summary>True the first time a nonce is consumed; false if it was consumed before.</summary>
    ValueTask<bool> TryConsumeAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
