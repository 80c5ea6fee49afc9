using System.Globalization;
using System.Text;

namespace PodVm.Attester.Evidence;

/// <summary>
/// Linux configfs-tsm (6.7+): mkdir &lt;root&gt;/&lt;name&gt;, write inblob (and privlevel), read outblob and
/// auxblob, compare the generation counter before and after reading (a concurrent writer to the same entry makes
/// the report stale: retry), rmdir.
/// </summary>
internal sealed class TsmReportClient(string root, ITsmFileSystem fileSystem)
{
    /// <summary>TSM_OUTBLOB_MAX is 32 KiB; auxblob (certificates) is bounded the same way here with headroom.</summary>
    public const int MaxBlobBytes = 64 * 1024;
    public const int MaxAttempts = 3;

    private static int _counter;

    public string Root => root;

    public bool IsAvailable => fileSystem.RootExists(root);

    /// <summary>The provider this kernel's TSM reports come from, or null when configfs-tsm is absent or unusable.</summary>
    public string? ProbeProvider()
    {
        if (!IsAvailable)
        {
            return null;
        }

        var entry = NewEntryPath();
        try
        {
            fileSystem.CreateEntry(entry);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        try
        {
            return ReadText(entry, "provider");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or EvidenceException)
        {
            return null;
        }
        finally
        {
            TryRemove(entry);
        }
    }

    public TsmReport GetReport(ReadOnlySpan<byte> inBlob, int? privLevel)
    {
        if (inBlob.Length is 0 or > 64)
        {
            throw new ArgumentException("inblob must be 1 to 64 bytes", nameof(inBlob));
        }

        if (!IsAvailable)
        {
            throw new EvidenceException(EvidenceErrorReason.Unavailable, $"configfs-tsm is not available at {root} (Linux 6.7+ with a TSM provider; is configfs mounted?)");
        }

        for (var attempt = 1; ; attempt++)
        {
            var entry = NewEntryPath();
            try
            {
                fileSystem.CreateEntry(entry);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new EvidenceException(EvidenceErrorReason.IoError, $"cannot create the configfs-tsm report {entry}: {ex.Message}", ex);
            }

            try
            {
                var provider = ReadText(entry, "provider") ?? throw new EvidenceException(EvidenceErrorReason.Malformed, $"{entry}/provider is missing");
                var before = ReadGeneration(entry);
                var writes = 0;
                if (privLevel is { } level)
                {
                    fileSystem.WriteAttribute(Path.Combine(entry, "privlevel"), Encoding.ASCII.GetBytes(level.ToString(CultureInfo.InvariantCulture)));
                    writes++;
                }

                fileSystem.WriteAttribute(Path.Combine(entry, "inblob"), inBlob);
                writes++;
                var afterWrite = ReadGeneration(entry);
                var outBlob = fileSystem.ReadAttribute(Path.Combine(entry, "outblob"), MaxBlobBytes);
                var auxBlob = fileSystem.ReadAttribute(Path.Combine(entry, "auxblob"), MaxBlobBytes);
                var afterRead = ReadGeneration(entry);
                var consistent = before is null || (afterWrite == before + (ulong)writes && afterRead == afterWrite);
                if (!consistent)
                {
                    if (attempt >= MaxAttempts)
                    {
                        throw new EvidenceException(EvidenceErrorReason.IoError, $"configfs-tsm report {entry} kept changing under another writer (generation {before} → {afterWrite} → {afterRead})");
                    }

                    continue;
                }

                if (outBlob is null || outBlob.Length == 0)
                {
                    throw new EvidenceException(EvidenceErrorReason.Refused, $"configfs-tsm ({provider}) produced no outblob");
                }

                return new TsmReport(provider, outBlob, auxBlob is { Length: > 0 } ? auxBlob : null);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new EvidenceException(EvidenceErrorReason.IoError, $"configfs-tsm report {entry} failed: {ex.Message}", ex);
            }
            finally
            {
                TryRemove(entry);
            }
        }
    }

    private string NewEntryPath() =>
        Path.Combine(root, string.Create(CultureInfo.InvariantCulture, $"podvm-attester-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}"));

    private string? ReadText(string entry, string attribute) =>
        fileSystem.ReadAttribute(Path.Combine(entry, attribute), 4096) is { } bytes ? Encoding.ASCII.GetString(bytes).Trim() : null;

    private ulong? ReadGeneration(string entry) =>
        ReadText(entry, "generation") is { } text && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : null;

    private void TryRemove(string entry)
    {
        try
        {
            fileSystem.RemoveEntry(entry);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The entry is left behind; it holds no secret (the report is public evidence).
        }
    }
}
