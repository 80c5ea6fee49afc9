using System.Text;
using PodVm.CloudApiAdaptor.Lifecycle;
using PodVm.CloudApiAdaptor.Tls;
using PodVm.PodVmConfig;

namespace PodVm.CloudApiAdaptor.Configuration;

/// <summary>
/// Builds a pod VM's user data in upstream's format (cloud-config write_files of apf.json and initdata), with a
/// fresh server certificate for the VM from the adaptor's CA, and checks it against the provider's size limit.
/// </summary>
public sealed class PodVmUserDataFactory(ForwarderCertificateAuthority ca)
{
    public byte[] Build(PodRecord pod, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var (certificate, key) = ca.IssueServerCertificate(pod.InstanceName);
        var forwarder = new ForwarderConfig
        {
            PodName = pod.PodName,
            PodNamespace = pod.PodNamespace,
            TlsServerCert = certificate,
            TlsServerKey = key,
            TlsClientCa = ca.CaCertificatePem,
            TlsMinVersion = "1.3",
        };

        // The cast matters: without it, null converts to an empty ReadOnlyMemory (via byte[]) and every pod without
        // initdata would be sent an empty initdata file, which fails validation.
        ReadOnlyMemory<byte>? initData = pod.InitData is { } encoded ? (ReadOnlyMemory<byte>?)InitDataCodec.Decode(encoded).RawToml : null;
        var document = PodVmUserData.Build(forwarder, initData);
        var bytes = Encoding.UTF8.GetBytes(PodVmUserData.ToCloudConfig(document));
        if (bytes.Length > maxBytes)
        {
            throw new AdaptorException(AdaptorErrorReason.InvalidRequest,
                $"sandbox {pod.SandboxId}: the pod VM's user data is {bytes.Length} bytes, over the provider's limit of {maxBytes}; shrink the pod's initdata");
        }

        return bytes;
    }
}
