namespace PodVm.CloudApiAdaptor.Providers;

public enum AddressKind
{
    Private = 0,
    Public,
    /// <summary>A forward from the host's loopback into the VM (local provider).</summary>
    HostForward,
}
