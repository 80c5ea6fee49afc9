namespace PodVm.CloudApiAdaptor.Hosting;

/// <summary>/readyz: ready once recovery is done and the hypervisor socket listens; not ready while shutting down.</summary>
public sealed class AdaptorReadiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;

    public void MarkNotReady() => _ready = false;
}
