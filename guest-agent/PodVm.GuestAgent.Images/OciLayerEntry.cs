namespace PodVm.GuestAgent.Images;

/// <summary>One entry of an image layer. Owner is always root and timestamps are fixed, so layers are reproducible.</summary>
/// <param name="Path">Relative path inside the rootfs, with '/' separators (e.g. <c>bin/busybox</c>).</param>
/// <param name="Type">Directory, file or symlink.</param>
/// <param name="Mode">Permission bits (e.g. 0755).</param>
/// <param name="Content">File bytes (files only).</param>
/// <param name="LinkTarget">Symlink target (symlinks only).</param>
public sealed record OciLayerEntry(string Path, OciLayerEntryType Type, int Mode, ReadOnlyMemory<byte> Content = default, string? LinkTarget = null)
{
    public static OciLayerEntry Directory(string path, int mode = 0x1ED) => new(path, OciLayerEntryType.Directory, mode);

    public static OciLayerEntry File(string path, ReadOnlyMemory<byte> content, int mode = 0x1A4) => new(path, OciLayerEntryType.File, mode, content);

    public static OciLayerEntry Symlink(string path, string target) => new(path, OciLayerEntryType.Symlink, 0x1FF, default, target);
}
