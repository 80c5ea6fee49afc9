using PodVm.LocalKvmProvider.Tools;

namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// A host compressor for initrd.img, run with fixed parameters so that the same tool version gives the same bytes
/// (the tool's Debian package version is part of the image's input digest and manifest).
/// </summary>
internal sealed record InitrdCompressor(HostTool Tool, string Label, Func<string, string, IReadOnlyList<string>> Arguments)
{
    /// <summary>The external compressor for <paramref name="compression"/>; null for gzip (in-process) and none.</summary>
    public static InitrdCompressor? For(InitrdCompression compression) => compression switch
    {
        // One thread; no content checksum (the launch measurement covers the file).
        InitrdCompression.Zstd => new(HostTool.Zstd, "zstd -9", static (input, output) => ["-9", "-T1", "-q", "--no-progress", "--no-check", "-f", input, "-o", output]),
        // -l: the legacy frame format, the one the kernel's initramfs unpacker accepts (it has no frame checksum or
        // content size to vary); -12: the slowest, smallest level (decompression is as fast at every level).
        InitrdCompression.Lz4 => new(HostTool.Lz4, "lz4 -l -12", static (input, output) => ["-l", "-12", "-q", "-f", input, output]),
        _ => null,
    };
}
