namespace PodVm.AgentProtocolForwarder.Forwarding;

/// <summary>
/// Parses upstream-style flags (<c>-listen</c>, <c>-kata-agent-socket</c>, <c>-config</c>, <c>-ca-cert-file</c>,
/// <c>-cert-file</c>, <c>-cert-key</c>, <c>-disable-tls</c>) and PodVm's <c>-process-user-data-first</c>,
/// <c>-user-data</c> and <c>-notify</c>; <c>--x</c> works too.
/// </summary>
internal static class ForwarderCommandLine
{
    public const string Usage = """
        podvm-forwarder [flags]
          -config <path>             apf.json (default /run/peerpod/apf.json)
          -listen <host:port>        (default 0.0.0.0:15150)
          -kata-agent-socket <path>  (default /run/kata-containers/agent.sock)
          -ca-cert-file <path>       CA of the client certificates (default: apf.json tls-client-ca, else /run/peerpod/tls/ca.crt)
          -cert-file <path>          server certificate (default: apf.json tls-server-cert, else /run/peerpod/tls/tls.crt)
          -cert-key <path>           server key (default: apf.json tls-server-key, else /run/peerpod/tls/tls.key)
          -disable-tls               plain TCP (testing only)
          -process-user-data-first   first do what podvm-config-processor does, in this process (the pod VM's /init)
          -user-data <path>          with -process-user-data-first: read the user data from this file (default: look for it)
          -notify <path>             write CONFIGURED=1 (after the user data) and READY=1 (listening) lines to a file or FIFO
          -pod-namespace, -host-interface  accepted for compatibility, unused
        podvm-forwarder process-user-data [options]   (also when invoked as podvm-config-processor)
        """;

    public static ForwarderOptions Parse(IReadOnlyList<string> args)
    {
        var o = new ForwarderOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var raw = args[i];
            var name = raw.TrimStart('-');
            string? inline = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }

            if (name is "disable-tls" or "process-user-data-first")
            {
                var on = inline is null || bool.Parse(inline);
                o = name is "disable-tls" ? o with { DisableTls = on } : o with { ProcessUserDataFirst = on };
                continue;
            }

            if (name is "h" or "help")
            {
                throw new ArgumentException(Usage);
            }

            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"flag {raw} needs a value"));
            o = name switch
            {
                "config" => o with { ConfigPath = Value() },
                "listen" => o with { Listen = Value() },
                "kata-agent-socket" => o with { KataAgentSocket = Value() },
                "ca-cert-file" => o with { CaCertFile = Value() },
                "cert-file" => o with { CertFile = Value() },
                "cert-key" => o with { CertKey = Value() },
                "notify" => o with { NotifyPath = Value() },
                "user-data" => o with { UserDataPath = Value() },
                "pod-namespace" or "host-interface" => Skip(o, Value()),
                _ => throw new ArgumentException($"unknown flag {raw}\n{Usage}"),
            };
        }

        return o;
    }

    private static ForwarderOptions Skip(ForwarderOptions o, string value)
    {
        _ = value;
        return o;
    }
}
