namespace PodVm.GuestAgent.Images;

/// <summary>Maps an image reference (<c>docker.io/library/busybox:1.36</c>, <c>busybox</c>, <c>quay.io/x/y@sha256:..</c>) to a layout name and tag.</summary>
public static class OciImageReference
{
    /// <summary>The layout directory name (the last path component of the repository) and the tag (default <c>latest</c>).</summary>
    public static (string Name, string Tag) Split(string reference)
    {
        var r = reference.Trim();
        var at = r.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            r = r[..at];
        }

        var tag = "latest";
        var slash = r.LastIndexOf('/');
        var colon = r.LastIndexOf(':');
        if (colon > slash)
        {
            tag = r[(colon + 1)..];
            r = r[..colon];
        }

        var name = slash >= 0 ? r[(r.LastIndexOf('/') + 1)..] : r;
        if (name.Length == 0 || name.Contains("..", StringComparison.Ordinal) || name.Contains('/', StringComparison.Ordinal))
        {
            throw new OciImageException($"image reference '{reference}' has no usable name");
        }

        return (name, tag);
    }
}
