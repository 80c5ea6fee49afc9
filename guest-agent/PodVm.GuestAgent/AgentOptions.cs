namespace PodVm.GuestAgent;

/// <summary>The guest agent's settings; defaults are the pod VM's layout.</summary>
internal sealed record AgentOptions
{
    /// <summary>Where the agent listens (ttrpc).</summary>
    public string Listen { get; init; } = "unix:///run/kata-containers/agent.sock";

    /// <summary>The crun binary.</summary>
    public string CrunPath { get; init; } = "/usr/bin/crun";

    /// <summary>crun's state directory (<c>--root</c>).</summary>
    public string CrunRoot { get; init; } = "/run/podvm/crun";

    /// <summary>Where bundles (config.json, pid files, crun logs) are kept.</summary>
    public string StateDirectory { get; init; } = "/run/podvm/agent";

    /// <summary>Where container rootfs directories are made: <c>&lt;root&gt;/&lt;container-id&gt;/rootfs</c> (as Kata's guest pull).</summary>
    public string ContainersRoot { get; init; } = "/run/kata-containers";

    /// <summary>The OCI image layouts shipped in the pod VM image, one directory per image name.</summary>
    public string ImagesDirectory { get; init; } = "/usr/share/podvm/images";

    /// <summary>The cgroup (relative to the cgroup root) under which every container's cgroup is made.</summary>
    public string CgroupParent { get; init; } = "/podvm";

    /// <summary>The cgroup filesystem root.</summary>
    public string CgroupRoot { get; init; } = "/sys/fs/cgroup";

    /// <summary>Pass <c>--no-pivot</c> to crun (needed when the VM's root is the initramfs). Null = decide from the root filesystem type.</summary>
    public bool? NoPivot { get; init; }

    /// <summary>A policy file read at start (the measured one from initdata), if it exists.</summary>
    public string PolicyFile { get; init; } = "/run/peerpod/policy.json";

    /// <summary>A file or FIFO the agent writes <c>READY=1</c> to once it listens (<c>FAILED=1</c> if it cannot start); null: none.</summary>
    public string? NotifyPath { get; init; }

    /// <summary>The <c>ip</c> binary used by UpdateInterface/UpdateRoutes.</summary>
    public string IpPath { get; init; } = "/sbin/ip";

    /// <summary>Upper bound of output the agent buffers per stream before the container's writes block.</summary>
    public int StdioBufferBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// The confidential data hub (the attester's <c>127.0.0.1:8006</c>) that containers fetch secrets from; null
    /// disables the wait for it. Containers start only once it accepts connections, when initdata configures a KBS.
    /// </summary>
    public string? CdhEndpoint { get; init; } = "127.0.0.1:8006";

    /// <summary>The configuration files the config processor writes from initdata when it names a key broker.</summary>
    public IReadOnlyList<string> CdhConfigFiles { get; init; } = ["/run/peerpod/cdh.toml", "/run/peerpod/aa.toml"];

    /// <summary>How long the first StartContainer waits for the confidential data hub before it starts anyway.</summary>
    public TimeSpan CdhWaitTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
