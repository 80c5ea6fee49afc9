using System.Text.Json;
using System.Text.Json.Serialization;

namespace PodVm.LocalKvmProvider.Vms;

/// <summary>Reads and writes VM directories under one root (one per provider installation).</summary>
public sealed class VmStateStore
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public VmStateStore(string root)
    {
        Root = root;
    }

    public string Root { get; }

    public VmDirectory DirectoryFor(string id) => new(Path.Combine(Root, id));

    public IEnumerable<VmDirectory> EnumerateDirectories() =>
        Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Order(StringComparer.Ordinal).Select(d => new VmDirectory(d))
            : [];

    /// <summary>Writes state.json so a reader sees the old or the new content, never a torn file.</summary>
    public static void Write(VmDirectory directory, VmState state)
    {
        Directory.CreateDirectory(directory.Path);
        var temporary = directory.StateFile + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, state, JsonOptions);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, directory.StateFile, overwrite: true);
    }

    /// <summary>The state, or null when the directory has none or it cannot be read (a half-created VM).</summary>
    public static VmState? TryRead(VmDirectory directory)
    {
        try
        {
            return JsonSerializer.Deserialize<VmState>(File.ReadAllText(directory.StateFile), JsonOptions);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string Serialize(VmState state) => JsonSerializer.Serialize(state, JsonOptions);
}
