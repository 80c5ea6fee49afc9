namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// One way to boot the image and its <see cref="LaunchMeasurement"/>: the kernel and initrd file names (relative to
/// the image directory), the exact command line, and the SHA-384 measurement in lower-case hex.
/// </summary>
public sealed record LaunchDigest(string Kernel, string Initrd, string CommandLine, string Sha384);
