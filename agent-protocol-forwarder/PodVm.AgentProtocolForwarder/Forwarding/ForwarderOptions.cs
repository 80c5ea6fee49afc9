namespace PodVm.AgentProtocolForwarder.Forwarding;

/// <summary>The forwarder's settings (flags compatible in spirit with upstream's agent-protocol-forwarder).</summary>
internal sealed record ForwarderOptions
{
    public string ConfigPath { get; init; } = "/run/peerpod/apf.json";

    public string Listen { get; init; } = "0.0.0.0:15150";

    public string KataAgentSocket { get; init; } = "/run/kata-containers/agent.sock";

    /// <summary>CA that issues client certificates (PEM file); overrides apf.json's tls-client-ca.</summary>
    public string? CaCertFile { get; init; }

    public string? CertFile { get; init; }

    public string? CertKey { get; init; }

    /// <summary>Plain TCP, for tests only.</summary>
    public bool DisableTls { get; init; }

    /// <summary>
    /// Process the pod VM's user data first, in this process, as <c>podvm-config-processor</c> does, before reading
    /// apf.json. The pod VM's /init uses it: one process start instead of two, and OpenSSL initialised once.
    /// </summary>
    public bool ProcessUserDataFirst { get; init; }

    /// <summary>
    /// With <see cref="ProcessUserDataFirst"/>: the file holding the user data (the pod VM's /init passes QEMU's
    /// fw_cfg file, so no copy is made); without it the config processor looks for the user data itself.
    /// </summary>
    public string? UserDataPath { get; init; }

    /// <summary>A file or FIFO that receives a line per start-up state (<c>CONFIGURED=1</c>, <c>READY=1</c>).</summary>
    public string? NotifyPath { get; init; }

    /// <summary>How long to keep retrying the agent socket for a new connection (upstream waits up to 150 s).</summary>
    public TimeSpan AgentDialTimeout { get; init; } = TimeSpan.FromSeconds(150);

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
