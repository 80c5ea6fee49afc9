using System.Globalization;

namespace PodVm.GuestAgent;

/// <summary>Parses <c>--name value</c> arguments into <see cref="AgentOptions"/>; an unknown or incomplete option stops start-up with a message naming it.</summary>
internal static class AgentCommandLine
{
    public const string Usage = """
        podvm-guest-agent [options]
          --listen <unix:///path>      ttrpc endpoint (default unix:///run/kata-containers/agent.sock)
          --crun <path>                crun binary (default /usr/bin/crun)
          --crun-root <dir>            crun state directory (default /run/podvm/crun)
          --state-dir <dir>            bundles and logs (default /run/podvm/agent)
          --containers-root <dir>      container rootfs parent (default /run/kata-containers)
          --images-dir <dir>           OCI image layouts (default /usr/share/podvm/images)
          --cgroup-parent <path>       parent cgroup for containers (default /podvm)
          --cgroup-root <dir>          cgroup filesystem (default /sys/fs/cgroup)
          --no-pivot true|false        pass --no-pivot to crun (default: when / is an initramfs)
          --policy-file <path>         initial policy (default /run/peerpod/policy.json, if present)
          --ip <path>                  ip tool (default /sbin/ip)
          --stdio-buffer-bytes <n>     per-stream output bound (default 1048576)
          --cdh-endpoint <host:port>|none
                                       confidential data hub containers get secrets from; when initdata
                                       configures a KBS, containers start once it listens (default 127.0.0.1:8006)
          --cdh-wait-seconds <n>       how long StartContainer waits for it (default 30)
          --notify <path>              FIFO or file: READY=1 once listening, FAILED=1 if the start fails
        """;

    public static AgentOptions Parse(IReadOnlyList<string> args)
    {
        var o = new AgentOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                throw new ArgumentException(Usage);
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"option {name} needs a value\n{Usage}");
            }

            var value = args[++i];
            o = name switch
            {
                "--listen" => o with { Listen = value },
                "--crun" => o with { CrunPath = value },
                "--crun-root" => o with { CrunRoot = value },
                "--state-dir" => o with { StateDirectory = value },
                "--containers-root" => o with { ContainersRoot = value },
                "--images-dir" => o with { ImagesDirectory = value },
                "--cgroup-parent" => o with { CgroupParent = value },
                "--cgroup-root" => o with { CgroupRoot = value },
                "--no-pivot" => o with { NoPivot = bool.Parse(value) },
                "--policy-file" => o with { PolicyFile = value },
                "--notify" => o with { NotifyPath = value },
                "--ip" => o with { IpPath = value },
                "--cdh-endpoint" => o with { CdhEndpoint = value == "none" ? null : CdhEndpointText(value) },
                "--cdh-wait-seconds" => o with { CdhWaitTimeout = TimeSpan.FromSeconds(int.Parse(value, CultureInfo.InvariantCulture)) },
                "--stdio-buffer-bytes" => o with { StdioBufferBytes = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {name}\n{Usage}"),
            };
        }

        if (o.StdioBufferBytes < 4096)
        {
            throw new ArgumentException("--stdio-buffer-bytes must be at least 4096");
        }

        if (o.CdhWaitTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException("--cdh-wait-seconds must not be negative");
        }

        return o;
    }

    private static string CdhEndpointText(string value) =>
        System.Net.IPEndPoint.TryParse(value, out var endpoint) && endpoint.Port != 0
            ? value
            : throw new ArgumentException($"--cdh-endpoint '{value}' is not an address:port (for example 127.0.0.1:8006) or none");
}
