namespace PodVm.PodVmConfig;

/// <summary>One file of the pod VM configuration: an absolute path and its bytes.</summary>
/// <param name="Path">Absolute path inside the VM; must be one of <see cref="PodVmPaths.WritableFiles"/>.</param>
/// <param name="Content">The file's bytes (decoded).</param>
/// <param name="Permissions">Octal permissions, e.g. <c>0600</c>.</param>
public sealed record UserDataFile(string Path, ReadOnlyMemory<byte> Content, string Permissions = "0644")
{
    /// <summary>The permissions as a Unix mode.</summary>
    public UnixFileMode Mode => (UnixFileMode)Convert.ToInt32(Permissions, 8);
}
