namespace PodVm.PodVmConfig;

/// <summary>
/// Where the pod VM's configuration lives inside the VM. These are the only paths the user data may write
/// (see <see cref="IsWritable"/>); everything else in the user data is refused.
/// </summary>
public static class PodVmPaths
{
    /// <summary>The directory every pod VM configuration file is written under.</summary>
    public const string ConfigDirectory = "/run/peerpod";

    /// <summary>The file the local provider delivers (the whole user data document).</summary>
    public const string LocalUserData = "/run/peerpod/userdata";

    /// <summary>The forwarder configuration (upstream's apf.json).</summary>
    public const string ForwarderConfig = "/run/peerpod/apf.json";

    /// <summary>Initdata as delivered: base64 of gzip of the TOML document.</summary>
    public const string InitData = "/run/peerpod/initdata";

    /// <summary>Lower-case hex digest of the raw initdata TOML, written by the config processor.</summary>
    public const string InitDataDigest = "/run/peerpod/initdata.digest";

    /// <summary>Registry credentials (a containers-auth.json document).</summary>
    public const string RegistryAuth = "/run/peerpod/auth.json";

    /// <summary>The forwarder's server certificate (PEM).</summary>
    public const string TlsServerCertificate = "/run/peerpod/tls/tls.crt";

    /// <summary>The forwarder's server private key (PEM).</summary>
    public const string TlsServerKey = "/run/peerpod/tls/tls.key";

    /// <summary>The CA that issues the adaptor's client certificate (PEM).</summary>
    public const string TlsClientCa = "/run/peerpod/tls/ca.crt";

    /// <summary>The guest agent policy taken from initdata (key <c>policy.json</c>).</summary>
    public const string AgentPolicy = "/run/peerpod/policy.json";

    /// <summary>The paths that the user data may write, and nothing else.</summary>
    public static IReadOnlyList<string> WritableFiles { get; } =
    [
        ForwarderConfig,
        InitData,
        RegistryAuth,
        TlsServerCertificate,
        TlsServerKey,
        TlsClientCa,
    ];

    /// <summary>The initdata <c>[data]</c> keys that are written out, and where.</summary>
    public static IReadOnlyDictionary<string, string> InitDataFiles { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["aa.toml"] = "/run/peerpod/aa.toml",
        ["cdh.toml"] = "/run/peerpod/cdh.toml",
        ["policy.rego"] = "/run/peerpod/policy.rego",
        ["policy.json"] = AgentPolicy,
    };

    /// <summary>True when <paramref name="path"/> is exactly one of <see cref="WritableFiles"/>.</summary>
    public static bool IsWritable(string path) => WritableFiles.Contains(path, StringComparer.Ordinal);
}
