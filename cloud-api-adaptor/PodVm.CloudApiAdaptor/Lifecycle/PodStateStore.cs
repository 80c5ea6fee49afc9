using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace PodVm.CloudApiAdaptor.Lifecycle;

/// <summary>
/// One JSON file per pod under &lt;state&gt;/pods, each replaced atomically (temp file, fsync, rename), so a crash at
/// any step leaves the previous or the next record, never a torn one. A file that cannot be read is moved aside
/// (kept for inspection) instead of stopping the adaptor.
/// </summary>
public sealed class PodStateStore
{
    private readonly string _directory;
    private readonly ILogger _logger;

    public PodStateStore(string stateDirectory, ILogger logger)
    {
        _directory = Path.Combine(stateDirectory, "pods");
        _logger = logger;
        Directory.CreateDirectory(_directory);
    }

    public void Save(PodRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        AtomicFile.Write(PathOf(record.SandboxId), JsonSerializer.SerializeToUtf8Bytes(record, PodRecordJsonContext.Default.PodRecord));
    }

    public void Delete(string sandboxId)
    {
        var path = PathOf(sandboxId);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    public IReadOnlyList<PodRecord> LoadAll()
    {
        var records = new List<PodRecord>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*.json"))
        {
            try
            {
                var record = JsonSerializer.Deserialize(File.ReadAllBytes(path), PodRecordJsonContext.Default.PodRecord);
                if (record is not null && Path.GetFileNameWithoutExtension(path) == FileNameOf(record.SandboxId))
                {
                    records.Add(record);
                    continue;
                }
            }
            catch (JsonException)
            {
                // Handled below: the file is moved aside.
            }

            var aside = path + ".corrupt";
            File.Move(path, aside, overwrite: true);
            AdaptorLog.CorruptPodRecord(_logger, aside);
        }

        return records;
    }

    private string PathOf(string sandboxId) => Path.Combine(_directory, FileNameOf(sandboxId) + ".json");

    // Sandbox ids are hex from containerd, but never trust a name from the wire as a path.
    private static string FileNameOf(string sandboxId) =>
        sandboxId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && sandboxId.Length is > 0 and <= 128 && sandboxId[0] != '.'
            ? sandboxId
            : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sandboxId)));
}
