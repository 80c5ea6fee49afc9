using System.Net;
using PodVm.PodVmConfig;

namespace PodVm.Attester.Configuration;

/// <summary>Settings of podvm-attester: the defaults are the pod VM's paths; flags override them (tests use them).</summary>
internal sealed record AttesterOptions
{
    public const int DefaultPort = 8006;

    /// <summary>KBS URL from <c>--kbs-url</c>; overrides the initdata files.</summary>
    public Uri? KbsUrl { get; init; }

    /// <summary>PEM file from <c>--kbs-cert</c>: the certificate (or CA) trusted for a https KBS.</summary>
    public string? KbsCertificateFile { get; init; }

    /// <summary>Where the confidential-data-hub endpoint listens (loopback only in the VM).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, DefaultPort);

    public TeeSelection Tee { get; init; } = TeeSelection.Auto;

    /// <summary>The local development TEE's virtio-serial port (a unix socket is accepted too, for tests).</summary>
    public string SideChannelPath { get; init; } = "/dev/virtio-ports/podvm.side";

    /// <summary>configfs-tsm report directory (Linux 6.7+).</summary>
    public string TsmRoot { get; init; } = "/sys/kernel/config/tsm/report";

    public string SevGuestPath { get; init; } = "/dev/sev-guest";

    /// <summary>Trustee's CDH configuration written by the config processor from initdata.</summary>
    public string CdhConfigPath { get; init; } = PodVmPaths.InitDataFiles["cdh.toml"];

    /// <summary>Trustee's attestation-agent configuration (fallback for the KBS address).</summary>
    public string AaConfigPath { get; init; } = PodVmPaths.InitDataFiles["aa.toml"];

    /// <summary>The delivered initdata (base64 of gzip TOML); sent to the KBS as init-data when present.</summary>
    public string InitDataPath { get; init; } = PodVmPaths.InitData;

    /// <summary>The TDX CC event log (ACPI CCEL table data), sent with a TDX quote when readable.</summary>
    public string CcEventLogPath { get; init; } = "/sys/firmware/acpi/tables/data/CCEL";

    /// <summary>
    /// The vTPM (the kernel's resource-managed device). When it exists the attester binds the initdata into PCR8,
    /// creates an attestation key and adds quotes to local-dev evidence; null disables that.
    /// </summary>
    public string? TpmDevicePath { get; init; } = Tpm.TpmDeviceTransport.DefaultPath;

    /// <summary>The hex initdata digest the config processor wrote (what PCR8 is extended with).</summary>
    public string InitDataDigestPath { get; init; } = PodVmPaths.InitDataDigest;

    /// <summary>Most connections served at once; more wait in the listen backlog.</summary>
    public int MaxConnections { get; init; } = 16;
}
