using System.Text;

namespace PodVm.PodVmConfig;

/// <summary>Builds the pod VM user data (what the adaptor sends) from its parts.</summary>
public static class PodVmUserData
{
    /// <summary>
    /// The document for one pod VM: the forwarder config, and optionally initdata (TOML; encoded here as
    /// base64 of gzip), registry credentials and TLS files.
    /// </summary>
    public static UserDataDocument Build(
        ForwarderConfig forwarder,
        ReadOnlyMemory<byte>? initDataToml = null,
        string? registryAuthJson = null,
        string? tlsServerCertPem = null,
        string? tlsServerKeyPem = null,
        string? tlsClientCaPem = null)
    {
        var files = new List<UserDataFile> { new(PodVmPaths.ForwarderConfig, forwarder.ToJson(), "0600") };
        if (initDataToml is { } toml)
        {
            InitDataCodec.Parse(toml);
            files.Add(new UserDataFile(PodVmPaths.InitData, Encoding.ASCII.GetBytes(InitDataCodec.Encode(toml.Span)), "0644"));
        }

        if (registryAuthJson is not null)
        {
            files.Add(new UserDataFile(PodVmPaths.RegistryAuth, Encoding.UTF8.GetBytes(registryAuthJson), "0600"));
        }

        if (tlsServerCertPem is not null)
        {
            files.Add(new UserDataFile(PodVmPaths.TlsServerCertificate, Encoding.ASCII.GetBytes(tlsServerCertPem), "0644"));
        }

        if (tlsServerKeyPem is not null)
        {
            files.Add(new UserDataFile(PodVmPaths.TlsServerKey, Encoding.ASCII.GetBytes(tlsServerKeyPem), "0600"));
        }

        if (tlsClientCaPem is not null)
        {
            files.Add(new UserDataFile(PodVmPaths.TlsClientCa, Encoding.ASCII.GetBytes(tlsClientCaPem), "0644"));
        }

        return new UserDataDocument(files);
    }

    /// <summary>The cloud-config text for <see cref="Build"/>.</summary>
    public static string ToCloudConfig(UserDataDocument document) => CloudConfig.Write(document);
}
