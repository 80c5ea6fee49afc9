using Microsoft.Extensions.Logging;
using PodVm.CloudApiAdaptor.Observability;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.CloudApiAdaptor.Lifecycle;

/// <summary>
/// Finds VMs that carry this node's tags but that no live pod claims (adaptor crash, lost state, a delete that
/// failed) and deletes them, after a grace period that protects creates still in flight. Upstream never looks.
/// </summary>
public sealed class Reconciler(PodManager pods, AdaptorMetrics metrics, ILogger<Reconciler> logger, TimeProvider time)
{
    public ReconcileReport? LastReport { get; private set; }

    public async Task<ReconcileReport> RunOnceAsync(CancellationToken cancellationToken)
    {
        var instances = await pods.Provider.ListInstancesAsync(pods.OwnerTags, cancellationToken).ConfigureAwait(false);
        var deleted = new List<ProviderInstance>();
        var kept = 0;
        var now = time.GetUtcNow();
        foreach (var instance in instances)
        {
            if (instance.State == InstanceState.Terminated)
            {
                continue;
            }

            instance.Tags.TryGetValue(InstanceTags.SandboxId, out var sandboxId);
            var young = instance.CreatedAt is { } created && now - created < pods.Options.OrphanGracePeriod;
            if ((sandboxId is not null && pods.Claims(sandboxId)) || young)
            {
                kept++;
                continue;
            }

            AdaptorLog.OrphanDeleted(logger, instance.Id, instance.Name, sandboxId);
            try
            {
                await pods.DeleteInstanceAsync(instance.Id, sandboxId ?? "(none)").ConfigureAwait(false);
                metrics.OrphanDeleted();
                deleted.Add(instance);
            }
            catch (AdaptorException)
            {
                // Logged by DeleteInstanceAsync; tried again next pass.
            }
        }

        LastReport = new ReconcileReport(now, instances.Count, kept, deleted);
        return LastReport;
    }

    /// <summary>Runs a pass every <see cref="Configuration.AdaptorOptions.ReconcileInterval"/> until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = pods.Options.ReconcileInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is ProviderException or IOException)
                {
                    AdaptorLog.ReconcileFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
