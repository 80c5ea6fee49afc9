using System.Security.Cryptography;
using System.Text;

namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// The launch measurement of a local pod VM: what the image build records in its manifest and what the local
/// development TEE puts in its reports, defined once here.
/// <code>
/// measurement = SHA-384( "podvm-local-dev-tee/measurement/v1" || 0x00
///                        || SHA-384(kernel file bytes)
///                        || SHA-384(initrd file bytes)
///                        || SHA-384(UTF-8 kernel command line, no terminator) )
/// </code>
/// The kernel is the file QEMU is given with <c>-kernel</c> (vmlinux for the PVH path, vmlinuz when a TPM is
/// attached), so each boot path has its own measurement. Per-VM data (user data, ports) is never part of it: it
/// travels over fw_cfg, and the initdata digest is bound separately (host data / PCR8).
/// </summary>
public static class LaunchMeasurement
{
    /// <summary>Domain separator and version of this definition.</summary>
    public const string Domain = "podvm-local-dev-tee/measurement/v1";

    public const int Length = 48;

    public static byte[] Compute(string kernelPath, string initrdPath, string commandLine)
    {
        using var kernel = File.OpenRead(kernelPath);
        using var initrd = File.OpenRead(initrdPath);
        return Combine(SHA384.HashData(kernel), SHA384.HashData(initrd), commandLine);
    }

    /// <summary>Combines already-computed SHA-384 digests of the kernel and initrd with the command line.</summary>
    public static byte[] Combine(ReadOnlySpan<byte> kernelSha384, ReadOnlySpan<byte> initrdSha384, string commandLine)
    {
        if (kernelSha384.Length != Length || initrdSha384.Length != Length)
        {
            throw new ArgumentException("Kernel and initrd digests must be SHA-384 (48 bytes).");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA384);
        hash.AppendData(Encoding.ASCII.GetBytes(Domain));
        hash.AppendData([0]);
        hash.AppendData(kernelSha384);
        hash.AppendData(initrdSha384);
        hash.AppendData(SHA384.HashData(Encoding.UTF8.GetBytes(commandLine)));
        return hash.GetHashAndReset();
    }
}
