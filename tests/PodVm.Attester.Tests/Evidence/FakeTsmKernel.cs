using System.Globalization;
using System.Text;
using PodVm.Attester.Evidence;

namespace PodVm.Attester.Tests.Evidence;

/// <summary>
/// configfs-tsm in a temp directory, playing the kernel's part: mkdir fills the attributes (provider, generation,
/// outblob, auxblob), each write to inblob/privlevel bumps generation, and the last inblob is recorded.
/// </summary>
internal sealed class FakeTsmKernel(string provider, byte[] outBlob, byte[]? auxBlob = null) : ITsmFileSystem
{
    private readonly ConfigFsTsmFileSystem _files = ConfigFsTsmFileSystem.Instance;

    public byte[]? LastInBlob { get; private set; }

    public string? LastPrivLevel { get; private set; }

    public int EntriesCreated { get; private set; }

    /// <summary>Simulates another writer: bump the generation after this many outblob reads.</summary>
    public int ConcurrentWritesOnRead { get; set; }

    public bool RootExists(string root) => Directory.Exists(root);

    public void CreateEntry(string path)
    {
        Directory.CreateDirectory(path);
        EntriesCreated++;
        File.WriteAllText(Path.Combine(path, "provider"), provider + "\n");
        File.WriteAllText(Path.Combine(path, "generation"), "0\n");
        File.WriteAllText(Path.Combine(path, "privlevel"), "0\n");
        File.WriteAllBytes(Path.Combine(path, "outblob"), outBlob);
        if (auxBlob is not null)
        {
            File.WriteAllBytes(Path.Combine(path, "auxblob"), auxBlob);
        }

        File.WriteAllBytes(Path.Combine(path, "inblob"), []);
    }

    public void RemoveEntry(string path) => Directory.Delete(path, recursive: true);

    public byte[]? ReadAttribute(string path, int maxBytes)
    {
        var value = _files.ReadAttribute(path, maxBytes);
        if (Path.GetFileName(path) == "outblob" && ConcurrentWritesOnRead > 0)
        {
            ConcurrentWritesOnRead--;
            Bump(Path.GetDirectoryName(path)!);
        }

        return value;
    }

    public void WriteAttribute(string path, ReadOnlySpan<byte> value)
    {
        _files.WriteAttribute(path, value);
        var name = Path.GetFileName(path);
        if (name == "inblob")
        {
            LastInBlob = value.ToArray();
        }
        else if (name == "privlevel")
        {
            LastPrivLevel = Encoding.ASCII.GetString(value);
        }

        Bump(Path.GetDirectoryName(path)!);
    }

    private static void Bump(string entry)
    {
        var file = Path.Combine(entry, "generation");
        var g = ulong.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);
        File.WriteAllText(file, (g + 1).ToString(CultureInfo.InvariantCulture) + "\n");
    }
}
