using System.IO.Compression;
using System.Security.Cryptography;

namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// The initramfs as a set of paths. Parent directories are added implicitly; entries are written in ordinal path
/// order (a parent always sorts before its children), so the archive depends only on the set of entries.
/// </summary>
internal sealed class InitramfsTree
{
    private readonly SortedDictionary<string, InitramfsEntry> _entries = new(StringComparer.Ordinal);

    public IReadOnlyCollection<InitramfsEntry> Entries => _entries.Values;

    public bool Contains(string path) => _entries.ContainsKey(Normalize(path));

    public void AddDirectory(string path, int permissions = 0x1ED)
    {
        path = Normalize(path);
        AddParents(path);
        if (_entries.TryGetValue(path, out var existing))
        {
            if (existing.Kind != InitramfsEntryKind.Directory)
            {
                throw new InvalidOperationException($"'{path}' is already a {existing.Kind}.");
            }

            return;
        }

        _entries[path] = new InitramfsEntry(path, InitramfsEntryKind.Directory, permissions);
    }

    public void AddFile(string path, string sourceFile, int permissions) =>
        Add(new InitramfsEntry(Normalize(path), InitramfsEntryKind.File, permissions) { SourceFile = sourceFile });

    public void AddFile(string path, byte[] content, int permissions) =>
        Add(new InitramfsEntry(Normalize(path), InitramfsEntryKind.File, permissions) { Content = content });

    public void AddSymlink(string path, string target) =>
        Add(new InitramfsEntry(Normalize(path), InitramfsEntryKind.Symlink, 0x1FF) { LinkTarget = target });

    public void AddCharDevice(string path, int permissions, int major, int minor) =>
        Add(new InitramfsEntry(Normalize(path), InitramfsEntryKind.CharDevice, permissions)
        {
            DeviceMajor = major,
            DeviceMinor = minor,
        });

    /// <summary>A named pipe: the kernel makes it with mknod as it unpacks the archive, so /init need not.</summary>
    public void AddFifo(string path, int permissions) =>
        Add(new InitramfsEntry(Normalize(path), InitramfsEntryKind.Fifo, permissions));

    /// <summary>Writes the archive, uncompressed, in newc format.</summary>
    public void WriteCpio(Stream output)
    {
        var writer = new CpioWriter(output);
        foreach (var entry in _entries.Values)
        {
            switch (entry.Kind)
            {
                case InitramfsEntryKind.Directory:
                    writer.WriteDirectory(entry.Path, entry.Permissions);
                    break;
                case InitramfsEntryKind.Symlink:
                    writer.WriteSymlink(entry.Path, entry.LinkTarget!);
                    break;
                case InitramfsEntryKind.CharDevice:
                    writer.WriteCharDevice(entry.Path, entry.Permissions, entry.DeviceMajor, entry.DeviceMinor);
                    break;
                case InitramfsEntryKind.Fifo:
                    writer.WriteFifo(entry.Path, entry.Permissions);
                    break;
                default:
                    if (entry.Content is { } content)
                    {
                        writer.WriteFile(entry.Path, entry.Permissions, content);
                    }
                    else
                    {
                        using var source = File.OpenRead(entry.SourceFile!);
                        writer.WriteFile(entry.Path, entry.Permissions, source, source.Length);
                    }

                    break;
            }
        }

        writer.WriteTrailer();
    }

    /// <summary>
    /// Writes the archive gzip-compressed with fixed settings (zlib level 6, default strategy). The gzip header that
    /// System.IO.Compression writes has no name and a zero mtime, so the output depends only on the archive.
    /// </summary>
    public void WriteGzipCpio(Stream output)
    {
        using var gzip = new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = 6, CompressionStrategy = ZLibCompressionStrategy.Default }, leaveOpen: true);
        using var buffered = new BufferedStream(gzip, 1 << 20);
        WriteCpio(buffered);
    }

    /// <summary>SHA-256 of each file's bytes, by path, for the manifest.</summary>
    public SortedDictionary<string, string> FileDigests()
    {
        var digests = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in _entries.Values.Where(e => e.Kind == InitramfsEntryKind.File))
        {
            byte[] hash;
            if (entry.Content is { } content)
            {
                hash = SHA256.HashData(content);
            }
            else
            {
                using var source = File.OpenRead(entry.SourceFile!);
                hash = SHA256.HashData(source);
            }

            digests["/" + entry.Path] = Convert.ToHexStringLower(hash);
        }

        return digests;
    }

    private void Add(InitramfsEntry entry)
    {
        AddParents(entry.Path);
        if (_entries.TryGetValue(entry.Path, out var existing) && existing != entry)
        {
            throw new InvalidOperationException($"'{entry.Path}' is added twice to the initramfs.");
        }

        _entries[entry.Path] = entry;
    }

    private void AddParents(string path)
    {
        var slash = path.LastIndexOf('/');
        if (slash > 0)
        {
            AddDirectory(path[..slash]);
        }
    }

    private static string Normalize(string path)
    {
        var trimmed = path.Trim('/');
        if (trimmed.Length == 0)
        {
            throw new ArgumentException("The root is implicit; add paths below it.", nameof(path));
        }

        return trimmed;
    }
}
