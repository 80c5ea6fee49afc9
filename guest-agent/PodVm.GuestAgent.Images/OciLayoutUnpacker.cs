using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace PodVm.GuestAgent.Images;

/// <summary>
/// Unpacks an image from an OCI image layout into a rootfs directory. Every blob (manifest, config, layers) is
/// checked against its descriptor's digest and size before use, and every layer's uncompressed tar against the
/// config's <c>diff_ids</c>. Entries that would escape the rootfs are refused.
/// </summary>
public static class OciLayoutUnpacker
{
    /// <summary>Upper bound for manifest, index and config documents.</summary>
    public const int MaxDocumentBytes = 4 * 1024 * 1024;

    /// <summary>Unpacks the manifest tagged <paramref name="tag"/> (or the only manifest) into <paramref name="rootfs"/>.</summary>
    public static OciImageConfig Unpack(string layoutDirectory, string tag, string rootfs)
    {
        var indexPath = Path.Combine(layoutDirectory, "index.json");
        if (!File.Exists(indexPath))
        {
            throw new OciImageException($"no OCI image layout at '{layoutDirectory}' (index.json missing)");
        }

        using var index = ParseJson(File.ReadAllBytes(indexPath), "index.json");
        var manifestDescriptor = SelectManifest(index.RootElement, tag, layoutDirectory);
        using var manifest = ParseJson(ReadVerifiedBlob(layoutDirectory, manifestDescriptor, MaxDocumentBytes), "manifest");
        var configDescriptor = manifest.RootElement.GetProperty("config");
        using var config = ParseJson(ReadVerifiedBlob(layoutDirectory, configDescriptor, MaxDocumentBytes), "config");
        var diffIds = config.RootElement.TryGetProperty("rootfs", out var rootfsElement) && rootfsElement.TryGetProperty("diff_ids", out var ids)
            ? ids.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToList()
            : [];

        Directory.CreateDirectory(rootfs);
        var layers = manifest.RootElement.GetProperty("layers").EnumerateArray().ToList();
        for (var i = 0; i < layers.Count; i++)
        {
            var blobPath = VerifyBlob(layoutDirectory, layers[i]);
            var mediaType = layers[i].TryGetProperty("mediaType", out var mt) ? mt.GetString() : OciMediaTypes.LayerGzip;
            ExtractLayer(blobPath, mediaType ?? OciMediaTypes.LayerGzip, rootfs, i < diffIds.Count ? diffIds[i] : null);
        }

        return ReadConfig(config.RootElement);
    }

    private static JsonElement SelectManifest(JsonElement index, string tag, string layout)
    {
        var manifests = index.GetProperty("manifests").EnumerateArray().ToList();
        foreach (var m in manifests)
        {
            if (m.TryGetProperty("annotations", out var a) && a.TryGetProperty(OciMediaTypes.RefNameAnnotation, out var name)
                && string.Equals(name.GetString(), tag, StringComparison.Ordinal))
            {
                return m;
            }
        }

        return manifests.Count == 1
            ? manifests[0]
            : throw new OciImageException($"image layout '{layout}' has no manifest tagged '{tag}'");
    }

    private static OciImageConfig ReadConfig(JsonElement root)
    {
        if (!root.TryGetProperty("config", out var c) || c.ValueKind != JsonValueKind.Object)
        {
            return new OciImageConfig();
        }

        static IReadOnlyList<string> Strings(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array
                ? a.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToList()
                : [];

        var env = Strings(c, "Env");
        return new OciImageConfig
        {
            Entrypoint = Strings(c, "Entrypoint"),
            Cmd = Strings(c, "Cmd"),
            Env = env.Count > 0 ? env : new OciImageConfig().Env,
            WorkingDir = c.TryGetProperty("WorkingDir", out var wd) && wd.GetString() is { Length: > 0 } w ? w : "/",
            User = c.TryGetProperty("User", out var u) ? u.GetString() ?? string.Empty : string.Empty,
        };
    }

    private static JsonDocument ParseJson(byte[] bytes, string what)
    {
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new OciImageException($"{what} is not valid JSON", ex);
        }
    }

    private static byte[] ReadVerifiedBlob(string layout, JsonElement descriptor, int maxBytes)
    {
        var path = VerifyBlob(layout, descriptor);
        if (new FileInfo(path).Length > maxBytes)
        {
            throw new OciImageException($"blob {Path.GetFileName(path)} is larger than {maxBytes} bytes");
        }

        return File.ReadAllBytes(path);
    }

    /// <summary>Checks a blob's size and sha256 against its descriptor; returns its path.</summary>
    internal static string VerifyBlob(string layout, JsonElement descriptor)
    {
        var digest = descriptor.GetProperty("digest").GetString() ?? string.Empty;
        if (!digest.StartsWith("sha256:", StringComparison.Ordinal) || digest.Length != 71 || !digest[7..].All(Uri.IsHexDigit))
        {
            throw new OciImageException($"unsupported or malformed digest '{digest}'");
        }

        var hex = digest[7..];
        var path = Path.Combine(layout, "blobs", "sha256", hex);
        if (!File.Exists(path))
        {
            throw new OciImageException($"blob {digest} is missing from '{layout}'");
        }

        var size = descriptor.TryGetProperty("size", out var s) ? s.GetInt64() : -1;
        var actualSize = new FileInfo(path).Length;
        if (size >= 0 && size != actualSize)
        {
            throw new OciImageException($"blob {digest} is {actualSize} bytes; its descriptor says {size}");
        }

        using var stream = File.OpenRead(path);
        var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (!string.Equals(actual, hex, StringComparison.OrdinalIgnoreCase))
        {
            throw new OciImageException($"blob {digest} does not match its digest (content hashes to sha256:{actual})");
        }

        return path;
    }

    private static void ExtractLayer(string blobPath, string mediaType, string rootfs, string? diffId)
    {
        using var file = File.OpenRead(blobPath);
        using Stream decompressed = mediaType is OciMediaTypes.Layer
            ? file
            : mediaType is OciMediaTypes.LayerGzip or OciMediaTypes.DockerLayerGzip
                ? new GZipStream(file, CompressionMode.Decompress)
                : throw new OciImageException($"unsupported layer media type '{mediaType}'");
        using var hashing = new HashingReadStream(decompressed);
        try
        {
            using var reader = new TarReader(hashing, leaveOpen: true);
            while (reader.GetNextEntry() is { } entry)
            {
                ExtractEntry(entry, rootfs);
            }

            hashing.DrainToEnd();
        }
        catch (InvalidDataException ex)
        {
            throw new OciImageException($"layer {Path.GetFileName(blobPath)} is not a valid tar archive", ex);
        }

        if (diffId is not null && !string.Equals(diffId, "sha256:" + hashing.HexDigest(), StringComparison.OrdinalIgnoreCase))
        {
            throw new OciImageException($"layer {Path.GetFileName(blobPath)} does not match its diff_id {diffId}");
        }
    }

    private static void ExtractEntry(TarEntry entry, string rootfs)
    {
        var target = SafePath(rootfs, entry.Name);
        if (target is null)
        {
            return;
        }

        var name = Path.GetFileName(target);
        var parent = Path.GetDirectoryName(target)!;
        if (name == ".wh..wh..opq")
        {
            foreach (var child in Directory.EnumerateFileSystemEntries(parent))
            {
                Delete(child);
            }

            return;
        }

        if (name.StartsWith(".wh.", StringComparison.Ordinal))
        {
            Delete(Path.Combine(parent, name[4..]));
            return;
        }

        Directory.CreateDirectory(parent);
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (File.Exists(target) || IsSymlink(target))
                {
                    Delete(target);
                }

                Directory.CreateDirectory(target);
                File.SetUnixFileMode(target, entry.Mode);
                break;
            case TarEntryType.RegularFile:
            case TarEntryType.V7RegularFile:
            case TarEntryType.ContiguousFile:
                Delete(target);
                using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                {
                    entry.DataStream?.CopyTo(output);
                }

                File.SetUnixFileMode(target, entry.Mode);
                break;
            case TarEntryType.SymbolicLink:
                Delete(target);
                File.CreateSymbolicLink(target, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                var source = SafePath(rootfs, entry.LinkName) ?? throw new OciImageException($"hard link '{entry.Name}' points outside the rootfs");
                Delete(target);
                File.Copy(source, target);
                break;
            default:
                break;
        }
    }

    /// <summary>The absolute path for a tar entry name, or an error if it would leave the rootfs (by '..' or through a symlinked parent).</summary>
    internal static string? SafePath(string rootfs, string entryName)
    {
        var parts = entryName.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (parts.Count == 0)
        {
            return null;
        }

        if (parts.Contains(".."))
        {
            throw new OciImageException($"layer entry '{entryName}' escapes the rootfs");
        }

        var current = Path.GetFullPath(rootfs);
        for (var i = 0; i < parts.Count - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            if (IsSymlink(current))
            {
                throw new OciImageException($"layer entry '{entryName}' goes through the symlink '{parts[i]}'");
            }
        }

        return Path.Combine(current, parts[^1]);
    }

    private static bool IsSymlink(string path)
    {
        try
        {
            return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void Delete(string path)
    {
        if (IsSymlink(path) || File.Exists(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
