using System.Diagnostics;
using System.Globalization;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using PodVm.Protocols.Types;

namespace PodVm.GuestAgent.Networking;

/// <summary>
/// The VM's interfaces and routes: listed from the kernel (interfaces from the OS, routes from /proc/net), changed
/// with the <c>ip</c> tool (busybox's in the pod VM).
/// </summary>
internal sealed class NetworkConfigurator(string ipPath)
{
    public static IReadOnlyList<Interface> ListInterfaces()
    {
        var result = new List<Interface>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            var iface = new Interface
            {
                Device = nic.Name,
                Name = nic.Name,
                HwAddr = FormatMac(nic.GetPhysicalAddress()),
                Type = nic.NetworkInterfaceType == NetworkInterfaceType.Loopback ? "loopback" : "ether",
            };
            var props = nic.GetIPProperties();
            try
            {
                iface.Mtu = (ulong)Math.Max(0, props.GetIPv4Properties()?.Mtu ?? 0);
            }
            catch (NetworkInformationException)
            {
                iface.Mtu = 0;
            }

            foreach (var a in props.UnicastAddresses)
            {
                iface.IPAddresses.Add(new PodVm.Protocols.Types.IPAddress
                {
                    Family = a.Address.AddressFamily == AddressFamily.InterNetworkV6 ? IPFamily.V6 : IPFamily.V4,
                    Address = a.Address.ToString(),
                    Mask = a.PrefixLength.ToString(CultureInfo.InvariantCulture),
                });
            }

            result.Add(iface);
        }

        return result;
    }

    public static IReadOnlyList<Route> ListRoutes()
    {
        var routes = new List<Route>();
        foreach (var line in ReadLines("/proc/net/route").Skip(1))
        {
            var f = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 8)
            {
                continue;
            }

            var dest = ParseHex4(f[1]);
            var gateway = ParseHex4(f[2]);
            var mask = ParseHex4(f[7]);
            var prefix = BitOperations(mask);
            routes.Add(new Route
            {
                Device = f[0],
                Dest = prefix == 0 && dest.Equals(System.Net.IPAddress.Any) ? string.Empty : $"{dest}/{prefix}",
                Gateway = gateway.Equals(System.Net.IPAddress.Any) ? string.Empty : gateway.ToString(),
                Family = IPFamily.V4,
                Flags = uint.Parse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            });
        }

        foreach (var line in ReadLines("/proc/net/ipv6_route"))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 10 || f[9] == "lo")
            {
                continue;
            }

            var prefix = int.Parse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var dest = ParseHex16(f[0]);
            var gateway = ParseHex16(f[4]);
            routes.Add(new Route
            {
                Device = f[9],
                Dest = prefix == 0 ? string.Empty : $"{dest}/{prefix}",
                Gateway = gateway.Equals(System.Net.IPAddress.IPv6Any) ? string.Empty : gateway.ToString(),
                Family = IPFamily.V6,
                Flags = uint.Parse(f[8], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            });
        }

        return routes;
    }

    public async Task<Interface> UpdateInterfaceAsync(Interface iface, CancellationToken cancellationToken)
    {
        var name = iface.Name.Length > 0 ? iface.Name : iface.Device;
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
        {
            throw new AgentException(AgentErrorReason.InvalidArgument, "UpdateInterface: no interface name");
        }

        if (iface.Mtu > 0)
        {
            await IpAsync(cancellationToken, "link", "set", "dev", name, "mtu", iface.Mtu.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }

        if (iface.IPAddresses.Count > 0)
        {
            await IpAsync(cancellationToken, "addr", "flush", "dev", name).ConfigureAwait(false);
            foreach (var a in iface.IPAddresses)
            {
                await IpAsync(cancellationToken, "addr", "add", $"{a.Address}/{a.Mask}", "dev", name).ConfigureAwait(false);
            }
        }

        await IpAsync(cancellationToken, "link", "set", "dev", name, "up").ConfigureAwait(false);
        return ListInterfaces().FirstOrDefault(i => i.Name == name)
            ?? throw new AgentException(AgentErrorReason.NotFound, $"interface {name} not found");
    }

    public async Task<IReadOnlyList<Route>> UpdateRoutesAsync(IEnumerable<Route> routes, CancellationToken cancellationToken)
    {
        foreach (var r in routes)
        {
            var args = new List<string> { "route", "replace", r.Dest.Length > 0 ? r.Dest : "default" };
            if (r.Gateway.Length > 0)
            {
                args.AddRange(["via", r.Gateway]);
            }

            if (r.Device.Length > 0)
            {
                args.AddRange(["dev", r.Device]);
            }

            if (r.Source.Length > 0)
            {
                args.AddRange(["src", r.Source]);
            }

            await IpAsync(cancellationToken, [.. args]).ConfigureAwait(false);
        }

        return ListRoutes();
    }

    private async Task IpAsync(CancellationToken cancellationToken, params string[] args)
    {
        var psi = new ProcessStartInfo(ipPath) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new AgentException(AgentErrorReason.RuntimeFailed, $"cannot run {ipPath}");
        var err = p.StandardError.ReadToEndAsync(cancellationToken);
        await p.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await p.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (p.ExitCode != 0)
        {
            throw new AgentException(AgentErrorReason.RuntimeFailed, $"ip {string.Join(' ', args)}: {(await err.ConfigureAwait(false)).Trim()}");
        }
    }

    private static string FormatMac(PhysicalAddress mac)
    {
        var bytes = mac.GetAddressBytes();
        return bytes.Length == 0 ? string.Empty : string.Join(':', bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    private static System.Net.IPAddress ParseHex4(string hex)
    {
        var value = uint.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new System.Net.IPAddress(BitConverter.GetBytes(value));
    }

    private static System.Net.IPAddress ParseHex16(string hex) => new(Convert.FromHexString(hex));

    private static int BitOperations(System.Net.IPAddress mask) =>
        mask.GetAddressBytes().Sum(b => System.Numerics.BitOperations.PopCount(b));

    private static string[] ReadLines(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path) : [];
        }
        catch (IOException)
        {
            return [];
        }
    }
}
