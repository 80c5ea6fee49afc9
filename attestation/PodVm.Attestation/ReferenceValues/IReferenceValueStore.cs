namespace PodVm.Attestation.ReferenceValues;

/// <summary>
/// Holds reference values by name. Implementations never return an expired value (expired = absent), and replace a
/// value with the same name on <see cref="SetAsync"/>. The KBS persists them in SQLite; tests use the in-memory store.
/// </summary>
public interface IReferenceValueStore
{
    ValueTask<ReferenceValue?> GetAsync(string name, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<ReferenceValue>> ListAsync(CancellationToken cancellationToken);

    ValueTask SetAsync(IReadOnlyList<ReferenceValue> values, CancellationToken cancellationToken);

    ValueTask<bool> RemoveAsync(string name, CancellationToken cancellationToken);
}
