namespace PodVm.Attester.Evidence;

/// <summary>configfs-tsm through ordinary file calls (mkdir, write, read, rmdir).</summary>
internal sealed class ConfigFsTsmFileSystem : ITsmFileSystem
{
    public static ConfigFsTsmFileSystem Instance { get; } = new();

    public bool RootExists(string root) => Directory.Exists(root);

    public void CreateEntry(string path) => Directory.CreateDirectory(path);

    public void RemoveEntry(string path) => Directory.Delete(path, recursive: false);

    public byte[]? ReadAttribute(string path, int maxBytes)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new EvidenceException(EvidenceErrorReason.Malformed, $"{path} is larger than {maxBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    public void WriteAttribute(string path, ReadOnlySpan<byte> value)
    {
        // configfs binary attributes take the whole value in one write; FileMode.Open never creates.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        stream.Write(value);
    }
}
