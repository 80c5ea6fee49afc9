using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PodVm.Kubernetes.Nodes;
using PodVm.Kubernetes.PeerPods;
using PodVm.Kubernetes.Sweep;

namespace PodVm.Kubernetes.Hosting;

/// <summary>
/// The adaptor's background Kubernetes work: advertises the node's pod VM capacity (<c>Adaptor:MaxPods</c> as
/// <c>kata.peerpods.io/vm</c>) at start (retrying in the background while the API server is unreachable), runs the
/// PeerPod finalizer controller and the orphan sweep until the host stops, then withdraws the capacity.
/// Registered after the adaptor's own service, so it starts once the hypervisor socket listens and stops first.
/// </summary>
internal sealed class KubernetesIntegrationService(
    NodeCapacityAdvertiser capacity,
    PeerPodController controller,
    OrphanSweeper sweeper,
    KubernetesIdentity identity,
    string server,
    ILogger<KubernetesIntegrationService> logger,
    TimeProvider time) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        KubernetesLog.IntegrationStarted(logger, server, identity.NodeName, identity.ClusterName,
            identity.ScopeNodeName is null ? KubernetesControllerScope.Cluster : KubernetesControllerScope.Node, identity.SweepInterval);
        if (!await TryAdvertiseAsync(cancellationToken).ConfigureAwait(false))
        {
            _loops.Add(RunLoggedAsync("capacity advertisement", AdvertiseUntilDoneAsync));
        }

        _loops.Add(RunLoggedAsync("PeerPod controller", controller.RunAsync));
        if (identity.SweepInterval > TimeSpan.Zero)
        {
            _loops.Add(RunLoggedAsync("orphan sweep", sweeper.RunAsync));
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown deadline ran out; withdraw the capacity anyway, as far as time allows.
        }

        using var timeout = new CancellationTokenSource(identity.CallTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await capacity.WithdrawAsync(identity.NodeName, linked.Token).ConfigureAwait(false);
        }
        catch (KubernetesIntegrationException ex)
        {
            KubernetesLog.CapacityNotWithdrawn(logger, PeerPodNames.ExtendedResource, identity.NodeName, ex.Message);
        }
        catch (OperationCanceledException)
        {
            KubernetesLog.CapacityNotWithdrawn(logger, PeerPodNames.ExtendedResource, identity.NodeName, "no answer before the shutdown deadline");
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task<bool> TryAdvertiseAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(identity.CallTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await capacity.AdvertiseAsync(identity.NodeName, identity.PodsPerNode, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (KubernetesIntegrationException ex)
        {
            KubernetesLog.CapacityNotAdvertised(logger, PeerPodNames.ExtendedResource, identity.NodeName, ex.Message, identity.RetryDelay);
            return false;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            KubernetesLog.CapacityNotAdvertised(logger, PeerPodNames.ExtendedResource, identity.NodeName, $"no answer within {identity.CallTimeout}", identity.RetryDelay);
            return false;
        }
    }

    private async Task AdvertiseUntilDoneAsync(CancellationToken cancellationToken)
    {
        do
        {
            await Task.Delay(identity.RetryDelay, time, cancellationToken).ConfigureAwait(false);
        }
        while (!await TryAdvertiseAsync(cancellationToken).ConfigureAwait(false));
    }

    private Task RunLoggedAsync(string name, Func<CancellationToken, Task> loop) => Task.Run(async () =>
    {
        try
        {
            await loop(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            KubernetesLog.LoopCrashed(logger, ex, name);
        }
    }, CancellationToken.None);
}
