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
    /// manifest). The default: smaller than gzip (less host memory per VM: QEMU maps it and the guest copies it) and
    /// faster for the guest to decompress under TCG. Level 19 is 4 MB smaller still but took 6x as long to build.
    /// </summary>
    Zstd,
}
