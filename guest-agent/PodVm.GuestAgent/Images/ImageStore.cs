using System.Text.Json;
using PodVm.Protocols.Agent;

namespace PodVm.GuestAgent.Images;

/// <summary>
/// Resolves the image named by CreateContainer's storage (driver <c>image_guest_pull</c>: the reference is the
/// storage's <c>source</c>, or, in the older form, inside <c>driver_options</c> as <c>image_guest_pull=&lt;json&gt;</c>)
/// to an OCI image layout shipped in the VM image, and unpacks it (digests verified) into the container's rootfs.
/// The host never supplies image content.
/// </summary>
internal sealed class ImageStore(string imagesDirectory)
{
    public const string GuestPullDriver = "image_guest_pull";

    /// <summary>The image reference in <paramref name="storages"/>, or null when none is a guest-pull storage.</summary>
    public static string? FindImageReference(IEnumerable<Storage> storages)
    {
        foreach (var s in storages)
        {
            if (!string.Equals(s.Driver, GuestPullDriver, StringComparison.Ordinal))
            {
                continue;
            }

            if (s.Source.Length > 0)
            {
                return s.Source;
            }

            foreach (var option in s.DriverOptions)
            {
                var prefix = GuestPullDriver + "=";
                if (option.StartsWith(prefix, StringComparison.Ordinal) && FromDriverOption(option[prefix.Length..]) is { } reference)
                {
                    return reference;
                }
            }

            throw new AgentException(AgentErrorReason.InvalidArgument, "image_guest_pull storage names no image (no source, no image in driver_options)");
        }

        return null;
    }

    /// <summary>The mount point the storage asks for (where Kata puts the rootfs), if any.</summary>
    public static string? FindMountPoint(IEnumerable<Storage> storages) =>
        storages.FirstOrDefault(s => string.Equals(s.Driver, GuestPullDriver, StringComparison.Ordinal)) is { MountPoint.Length: > 0 } s ? s.MountPoint : null;

    /// <summary>Unpacks <paramref name="reference"/> into <paramref name="rootfs"/>; returns the image's runtime config.</summary>
    public OciImageConfig Unpack(string reference, string rootfs)
    {
        var (name, tag) = OciImageReference.Split(reference);
        var layout = Path.Combine(imagesDirectory, name);
        if (!Directory.Exists(layout))
        {
            throw new AgentException(AgentErrorReason.NotFound,
                $"image '{reference}' is not available in this pod VM (no layout '{name}' under {imagesDirectory})");
        }

        try
        {
            return OciLayoutUnpacker.Unpack(layout, tag, rootfs);
        }
        catch (OciImageException ex)
        {
            throw new AgentException(AgentErrorReason.FailedPrecondition, $"image '{reference}': {ex.Message}", ex);
        }
    }

    private static string? FromDriverOption(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            foreach (var key in new[] { "image", "image_ref", "source" })
            {
                if (root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String)
                {
                    return v.GetString();
                }
            }

            if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
            {
                foreach (var key in new[] { "io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName", "image" })
                {
                    if (metadata.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String)
                    {
                        return v.GetString();
                    }
                }
            }
        }
        catch (JsonException)
        {
            throw new AgentException(AgentErrorReason.InvalidArgument, "image_guest_pull driver option is not valid JSON");
        }

        return null;
    }
}
