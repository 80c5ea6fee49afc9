namespace PodVm.Attester.Evidence;

/// <summary>The file operations configfs-tsm needs (the kernel fills a new report entry's attributes on mkdir).</summary>
internal interface ITsmFileSystem
{
    bool RootExists(string root);

    void CreateEntry(string path);

    void RemoveEntry(string path);

    /// <summary>The attribute's bytes, or null when the attribute does not exist.</summary>
    byte[]? ReadAttribute(string path, int maxBytes);

    void WriteAttribute(string path, ReadOnlySpan<byte> value);
}
