namespace PodVm.LocalKvmProvider.Image;

/// <summary>How initrd.img is stored; every one is a fixed, deterministic encoding.</summary>
public enum InitrdCompression
{
    /// <summary>gzip, zlib level 6, default strategy, zero mtime.</summary>
    Gzip = 0,
    /// <summary>The plain newc cpio: larger file, nothing for the guest to decompress.</summary>
    None,
    /// <summary>
    /// zstd level 9, one thread, no checksum, through the host's <c>zstd</c> (Debian package zstd, version in the
    /// manifest). Smaller than gzip and faster to decompress; the default until session 7, when the guest's
    /// decompression of it was measured at ~0.5 s of the boot under TCG (lz4: ~0.05 s).
    /// </summary>
    Zstd,
    /// <summary>
    /// lz4 legacy frames (the format the kernel's initramfs unpacker reads), level 12, through the host's <c>lz4</c>
    /// (Debian package lz4, version in the manifest). The default: the guest decompresses it ~0.5 s faster than zstd
    /// under TCG (the boot's largest single step after the kernel's own); 2.6 MB larger than zstd, which QEMU maps
    /// from the page cache, shared by every VM of the image.
    /// </summary>
    Lz4,
}
