using System.Buffers.Binary;
using System.Text;

namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// Removes the signature Debian appends to each kernel module (<c>struct module_signature</c> + the signature +
/// "~Module signature appended~\n"). The guest kernel does not enforce signatures (CONFIG_MODULE_SIG_FORCE is off and
/// lockdown is off without UEFI secure boot), and the modules are covered by the initrd's launch measurement anyway,
/// so checking an RSA signature per module under TCG only costs boot time.
/// </summary>
internal static class ModuleSignature
{
    private const int SignatureInfoLength = 12;
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("~Module signature appended~\n");

    public static byte[] Strip(byte[] module)
    {
        if (module.Length < Marker.Length + SignatureInfoLength || !module.AsSpan(module.Length - Marker.Length).SequenceEqual(Marker))
        {
            return module;
        }

        var info = module.AsSpan(module.Length - Marker.Length - SignatureInfoLength, SignatureInfoLength);
        var signatureLength = BinaryPrimitives.ReadUInt32BigEndian(info[8..]);
        var total = (long)signatureLength + SignatureInfoLength + Marker.Length;
        if (total > module.Length)
        {
            throw new ImageBuildException(ImageBuildErrorReason.InvalidInput, "A kernel module's signature trailer is longer than the module.");
        }

        return module[..(int)(module.Length - total)];
    }
}
