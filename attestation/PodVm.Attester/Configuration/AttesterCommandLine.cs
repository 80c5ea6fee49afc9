using System.Globalization;
using System.Net;

namespace PodVm.Attester.Configuration;

/// <summary>Parses podvm-attester's flags (none in the VM: /init starts it without arguments).</summary>
internal static class AttesterCommandLine
{
    public const string Usage = """
        usage: podvm-attester [--kbs-url URL] [--kbs-cert FILE] [--listen 127.0.0.1:8006] [--tee auto|local-dev|snp|tdx]
                              [--side-channel PATH] [--tsm-root DIR] [--sev-guest PATH] [--cdh-config FILE]
                              [--aa-config FILE] [--initdata FILE] [--tpm PATH|none] [--initdata-digest FILE]
        Without --kbs-url the KBS address and certificate come from /run/peerpod/cdh.toml, else /run/peerpod/aa.toml.
        """;

    public static AttesterOptions Parse(IReadOnlyList<string> args)
    {
        var options = new AttesterOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            string? inlineValue = null;
            var eq = flag.IndexOf('=', StringComparison.Ordinal);
            if (flag.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inlineValue = flag[(eq + 1)..];
                flag = flag[..eq];
            }

            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new AttesterConfigException($"{flag} needs a value");
                }

                return args[++i];
            }

            options = flag switch
            {
                "--kbs-url" => options with { KbsUrl = ParseKbsUrl(Value(), "--kbs-url") },
                "--kbs-cert" => options with { KbsCertificateFile = NonEmpty(Value(), flag) },
                "--listen" => options with { Listen = ParseListen(Value()) },
                "--tee" => options with { Tee = ParseTee(Value()) },
                "--side-channel" => options with { SideChannelPath = NonEmpty(Value(), flag) },
                "--tsm-root" => options with { TsmRoot = NonEmpty(Value(), flag) },
                "--sev-guest" => options with { SevGuestPath = NonEmpty(Value(), flag) },
                "--cdh-config" => options with { CdhConfigPath = NonEmpty(Value(), flag) },
                "--aa-config" => options with { AaConfigPath = NonEmpty(Value(), flag) },
                "--initdata" => options with { InitDataPath = NonEmpty(Value(), flag) },
                "--tpm" => options with { TpmDevicePath = ParseTpm(Value()) },
                "--initdata-digest" => options with { InitDataDigestPath = NonEmpty(Value(), flag) },
                _ => throw new AttesterConfigException($"unknown argument '{args[i]}'"),
            };
        }

        return options;
    }

    /// <summary>An http(s) URL with a host; path, query and fragment are not allowed (the KBS API is at /kbs/v0).</summary>
    public static Uri ParseKbsUrl(string text, string setting)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            throw new AttesterConfigException($"{setting} '{text}' is not an http:// or https:// URL");
        }

        if (uri.AbsolutePath.TrimEnd('/').Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new AttesterConfigException($"{setting} '{text}' must be scheme://host:port only (no path, query or credentials)");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority));
    }

    public static IPEndPoint ParseListen(string text)
    {
        // Port 0 picks a free port (tests); the bound address is in the start-up log line.
        if (!IPEndPoint.TryParse(text, out var endpoint) || !text.Contains(':', StringComparison.Ordinal) || endpoint.Port is < 0 or > 65535)
        {
            throw new AttesterConfigException($"--listen '{text}' is not an address:port (for example 127.0.0.1:8006)");
        }

        return endpoint;
    }

    public static TeeSelection ParseTee(string text) => text.ToLowerInvariant() switch
    {
        "auto" => TeeSelection.Auto,
        "local-dev" => TeeSelection.LocalDev,
        "snp" => TeeSelection.Snp,
        "tdx" => TeeSelection.Tdx,
        _ => throw new AttesterConfigException(string.Create(CultureInfo.InvariantCulture, $"--tee '{text}' is not one of auto, local-dev, snp, tdx")),
    };

    /// <summary>The vTPM device, or null for <c>none</c> (no vTPM evidence even when the VM has one).</summary>
    public static string? ParseTpm(string text) =>
        string.Equals(text, "none", StringComparison.Ordinal) ? null : NonEmpty(text, "--tpm");

    private static string NonEmpty(string value, string flag) =>
        string.IsNullOrWhiteSpace(value) ? throw new AttesterConfigException($"{flag} needs a non-empty value") : value;
}
