namespace PodVm.PodVmConfig;

/// <summary>
/// The pod VM configuration the adaptor builds and the config processor reads: a list of files, serialised as
/// cloud-config <c>write_files</c> (see <see cref="CloudConfig"/>), which is what upstream peer pods sends.
/// </summary>
public sealed record UserDataDocument(IReadOnlyList<UserDataFile> Files)
{
    /// <summary>The file at <paramref name="path"/>, or null.</summary>
    public UserDataFile? Find(string path) => Files.FirstOrDefault(f => string.Equals(f.Path, path, StringComparison.Ordinal));
}
