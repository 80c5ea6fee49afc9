namespace PodVm.LocalKvmProvider.Image;

/// <summary>How initrd.img is stored; both are fixed, deterministic encodings.</summary>
public enum InitrdCompression
{
    /// <summary>gzip, zlib level 6, default strategy, zero mtime.</summary>
    Gzip = 0,
    /// <summary>The plain newc cpio: larger file, nothing for the guest to decompress.</summary>
    None,
}
