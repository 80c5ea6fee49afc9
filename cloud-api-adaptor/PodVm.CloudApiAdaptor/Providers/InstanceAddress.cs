namespace PodVm.CloudApiAdaptor.Providers;

/// <summary>
/// An endpoint at which the VM's agent-protocol forwarder can be reached. Local VMs report a forwarded loopback
/// port; cloud VMs report their private or public IP with the forwarder port (15150).
/// </summary>
public sealed record InstanceAddress(string Host, int Port, AddressKind Kind)
{
    public const int ForwarderPort = 15150;

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
