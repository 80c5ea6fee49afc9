namespace PodVm.Attestation.Kbs;

/// <summary>Confidential resources by path "repo/type/tag". Values are secrets: never log them.</summary>
public interface IResourceStore
{
    ValueTask<byte[]?> GetResourceAsync(string path, CancellationToken cancellationToken);

    ValueTask SetResourceAsync(string path, ReadOnlyMemory<byte> value, CancellationToken cancellationToken);

    ValueTask<bool> DeleteResourceAsync(string path, CancellationToken cancellationToken);
}
