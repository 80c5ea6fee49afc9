using System.Security.Cryptography;
using System.Text;

namespace PodVm.Attestation.Verifiers.LocalDev;

/// <summary>
/// The local development TEE's launch measurement: SHA-384 over a domain label and the SHA-384 digests of the kernel,
/// the initrd and the kernel command line (UTF-8, as passed to the VM):
/// <c>SHA-384("podvm-local-dev-tee/measurement/v1" ‖ 0x00 ‖ SHA-384(kernel) ‖ SHA-384(initrd) ‖ SHA-384(cmdline))</c>.
/// </summary>
public static class LocalDevTeeMeasurement
{
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("podvm-local-dev-tee/measurement/v1\0");

    public static byte[] Compute(ReadOnlySpan<byte> kernel, ReadOnlySpan<byte> initrd, string commandLine) =>
        Combine(SHA384.HashData(kernel), SHA384.HashData(initrd), SHA384.HashData(Encoding.UTF8.GetBytes(commandLine)));

    /// <summary>The same over files, streamed (kernels and initrds are large).</summary>
    public static async Task<byte[]> ComputeAsync(Stream kernel, Stream initrd, string commandLine, CancellationToken cancellationToken)
    {
        var kernelDigest = await SHA384.HashDataAsync(kernel, cancellationToken).ConfigureAwait(false);
        var initrdDigest = await SHA384.HashDataAsync(initrd, cancellationToken).ConfigureAwait(false);
        return Combine(kernelDigest, initrdDigest, SHA384.HashData(Encoding.UTF8.GetBytes(commandLine)));
    }

    private static byte[] Combine(byte[] kernel, byte[] initrd, byte[] commandLine) =>
        SHA384.HashData([.. Label, .. kernel, .. initrd, .. commandLine]);
}
