namespace PodVm.CloudApiAdaptor.Providers;

/// <summary>The provider-neutral lifecycle of a VM; each provider maps its own states onto these.</summary>
public enum InstanceState
{
    Unknown = 0,
    Pending,
    Running,
    Stopping,
    Stopped,
    Terminated,
}
