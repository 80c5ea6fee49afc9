using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace PodVm.GuestAgent.Images;

/// <summary>
/// Writes a single-layer OCI image layout reproducibly: entries sorted by path, owner root, fixed timestamps, fixed
/// gzip settings, JSON written in a fixed key order. The same input gives the same bytes and digests.
/// </summary>
public static class OciLayoutWriter
{
    /// <summary>Writes <paramref name="entries"/> as an image at <paramref name="layoutDirectory"/>; returns the manifest digest.</summary>
    public static string Write(string layoutDirectory, IEnumerable<OciLayerEntry> entries, OciImageConfig config, string tag = "latest")
    {
        var blobs = Path.Combine(layoutDirectory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);

        var tar = BuildTar(entries);
        var diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar));
        var layer = Gzip(tar);
        var layerDigest = WriteBlob(blobs, layer);

        var configJson = Json(w =>
        {
            w.WriteString("architecture", "amd64");
            w.WriteString("os", "linux");
            w.WriteStartObject("config");
            WriteArray(w, "Env", config.Env);
            if (config.Entrypoint.Count > 0)
            {
                WriteArray(w, "Entrypoint", config.Entrypoint);
            }

            WriteArray(w, "Cmd", config.Cmd);
            w.WriteString("WorkingDir", config.WorkingDir);
            if (config.User.Length > 0)
            {
                w.WriteString("User", config.User);
            }

            w.WriteEndObject();
            w.WriteStartObject("rootfs");
            w.WriteString("type", "layers");
            WriteArray(w, "diff_ids", [diffId]);
            w.WriteEndObject();
        });
        var configDigest = WriteBlob(blobs, configJson);

        var manifest = Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciMediaTypes.Manifest);
            WriteDescriptor(w, "config", OciMediaTypes.Config, configDigest, configJson.Length);
            w.WriteStartArray("layers");
            w.WriteStartObject();
            w.WriteString("mediaType", OciMediaTypes.LayerGzip);
            w.WriteString("digest", layerDigest);
            w.WriteNumber("size", layer.Length);
            w.WriteEndObject();
            w.WriteEndArray();
        });
        var manifestDigest = WriteBlob(blobs, manifest);

        var index = Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciMediaTypes.Index);
            w.WriteStartArray("manifests");
            w.WriteStartObject();
            w.WriteString("mediaType", OciMediaTypes.Manifest);
            w.WriteString("digest", manifestDigest);
            w.WriteNumber("size", manifest.Length);
            w.WriteStartObject("annotations");
            w.WriteString(OciMediaTypes.RefNameAnnotation, tag);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        });
        File.WriteAllBytes(Path.Combine(layoutDirectory, "index.json"), index);
        File.WriteAllBytes(Path.Combine(layoutDirectory, "oci-layout"), Json(w => w.WriteString("imageLayoutVersion", "1.0.0")));
        return manifestDigest;
    }

    /// <summary>
    /// The entries of a busybox image from a static busybox binary: <c>bin/busybox</c>, one symlink per applet,
    /// minimal <c>/etc</c> files and the usual empty directories.
    /// </summary>
    public static IReadOnlyList<OciLayerEntry> BusyboxEntries(ReadOnlyMemory<byte> busybox, IEnumerable<string> applets)
    {
        var entries = new List<OciLayerEntry>
        {
            OciLayerEntry.Directory("bin"),
            OciLayerEntry.Directory("dev"),
            OciLayerEntry.Directory("etc"),
            OciLayerEntry.Directory("proc"),
            OciLayerEntry.Directory("root", 0x1C0),
            OciLayerEntry.Directory("sys"),
            OciLayerEntry.Directory("tmp", 0x3FF),
            OciLayerEntry.Directory("var"),
            OciLayerEntry.File("bin/busybox", busybox, 0x1ED),
            OciLayerEntry.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"u8.ToArray()),
            OciLayerEntry.File("etc/group", "root:x:0:\nnogroup:x:65534:\n"u8.ToArray()),
        };
        foreach (var applet in applets.Distinct(StringComparer.Ordinal))
        {
            var name = applet.Trim();
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name == "busybox")
            {
                continue;
            }

            entries.Add(OciLayerEntry.Symlink("bin/" + name, "busybox"));
        }

        return entries;
    }

    internal static byte[] BuildTar(IEnumerable<OciLayerEntry> entries)
    {
        using var ms = new MemoryStream();
        using (var writer = new TarWriter(ms, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var e in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
            {
                var path = e.Path.TrimStart('/');
                var entry = e.Type switch
                {
                    OciLayerEntryType.Directory => new UstarTarEntry(TarEntryType.Directory, path.TrimEnd('/') + "/"),
                    OciLayerEntryType.Symlink => new UstarTarEntry(TarEntryType.SymbolicLink, path) { LinkName = e.LinkTarget ?? string.Empty },
                    _ => new UstarTarEntry(TarEntryType.RegularFile, path),
                };
                entry.ModificationTime = DateTimeOffset.UnixEpoch;
                entry.Uid = 0;
                entry.Gid = 0;
                entry.UserName = "root";
                entry.GroupName = "root";
                entry.Mode = (UnixFileMode)e.Mode;
                if (e.Type == OciLayerEntryType.File)
                {
                    entry.DataStream = new MemoryStream(e.Content.ToArray());
                }

                writer.WriteEntry(entry);
            }
        }

        return ms.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    private static string WriteBlob(string blobs, byte[] data)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(data));
        File.WriteAllBytes(Path.Combine(blobs, hex), data);
        return "sha256:" + hex;
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteDescriptor(Utf8JsonWriter w, string name, string mediaType, string digest, long size)
    {
        w.WriteStartObject(name);
        w.WriteString("mediaType", mediaType);
        w.WriteString("digest", digest);
        w.WriteNumber("size", size);
        w.WriteEndObject();
    }
}
