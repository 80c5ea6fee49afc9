using System.Text;
using PodVm.CloudApiAdaptor.Tls;
using PodVm.PodVmConfig;
using PodVmPaths = PodVm.LocalKvmProvider.PodVmPaths;

namespace PodVm.Cli.Commands;

/// <summary>
/// User data for pod VMs started without an adaptor (<c>podvm vm create</c>, <c>podvm bench boot</c>): the same
/// cloud-config the adaptor writes, with a forwarder server certificate from a CA kept in <c>$PODVM_HOME/vm-ca</c>
/// (its client certificate there reaches the VM's forwarder), so the guest's config processor, agent and forwarder
/// start exactly as in a pod.
/// </summary>
internal static class StandaloneUserData
{
    public static string CaDirectory => Path.Combine(PodVmPaths.Home, "vm-ca");

    public static byte[] Create(string instanceName, string podName)
    {
        using var ca = ForwarderCertificateAuthority.LoadOrCreate(CaDirectory, TimeProvider.System);
        var (certificate, key) = ca.IssueServerCertificate(instanceName);
        var forwarder = new ForwarderConfig
        {
            PodName = podName,
            PodNamespace = "default",
            TlsServerCert = certificate,
            TlsServerKey = key,
            TlsClientCa = ca.CaCertificatePem,
            TlsMinVersion = "1.3",
        };
        return Encoding.UTF8.GetBytes(PodVmUserData.ToCloudConfig(PodVmUserData.Build(forwarder, null)));
    }
}
