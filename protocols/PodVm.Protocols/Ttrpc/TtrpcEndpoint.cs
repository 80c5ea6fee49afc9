using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PodVm.Protocols.Ttrpc;

/// <summary>
/// Where a ttrpc peer listens: a unix socket (<c>unix:///run/x.sock</c>, <c>unix:/run/x.sock</c>, or a bare absolute
/// path) or TCP (<c>tcp://127.0.0.1:15150</c>).
/// </summary>
public sealed record TtrpcEndpoint
{
    private TtrpcEndpoint(string? unixPath, string? host, int port)
    {
        UnixPath = unixPath;
        Host = host;
        Port = port;
    }

    public string? UnixPath { get; }

    public string? Host { get; }

    public int Port { get; }

    public bool IsUnix => UnixPath is not null;

    public static TtrpcEndpoint Unix(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new TtrpcEndpoint(path, null, 0);
    }

    public static TtrpcEndpoint Tcp(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        return new TtrpcEndpoint(null, host, port);
    }

    public static TtrpcEndpoint Parse(string address)
    {
        if (!TryParse(address, out var endpoint, out var error))
        {
            throw new FormatException(error);
        }

        return endpoint;
    }

    public static bool TryParse(string? address, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TtrpcEndpoint? endpoint, out string error)
    {
        endpoint = null;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(address))
        {
            error = "address is empty; use unix:///path/to.sock or tcp://host:port";
            return false;
        }

        if (address.StartsWith("unix://", StringComparison.Ordinal) || address.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = address.StartsWith("unix://", StringComparison.Ordinal) ? address["unix://".Length..] : address["unix:".Length..];
            if (path.Length == 0 || path[0] != '/')
            {
                error = $"'{address}': a unix address needs an absolute path, e.g. unix:///run/peerpod/hypervisor.sock";
                return false;
            }

            endpoint = Unix(path);
            return true;
        }

        if (address[0] == '/')
        {
            endpoint = Unix(address);
            return true;
        }

        if (address.StartsWith("tcp://", StringComparison.Ordinal))
        {
            var hostPort = address["tcp://".Length..];
            var colon = hostPort.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            {
                error = $"'{address}': expected tcp://host:port";
                return false;
            }

            var host = hostPort[..colon].Trim('[', ']');
            endpoint = Tcp(host, port);
            return true;
        }

        error = $"'{address}': unknown scheme; use unix:///path/to.sock or tcp://host:port";
        return false;
    }

    internal EndPoint ToEndPoint() => IsUnix
        ? new UnixDomainSocketEndPoint(UnixPath!)
        : IPAddress.TryParse(Host, out var ip) ? new IPEndPoint(ip, Port) : new DnsEndPoint(Host!, Port);

    internal Socket CreateSocket() => IsUnix
        ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

    public override string ToString() => IsUnix
        ? $"unix://{UnixPath}"
        : Host!.Contains(':', StringComparison.Ordinal) ? $"tcp://[{Host}]:{Port}" : $"tcp://{Host}:{Port}";
}
