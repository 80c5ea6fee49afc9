using System.Globalization;
using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.Kubernetes.Events;
using PodVm.Kubernetes.PeerPods;

namespace PodVm.Kubernetes.Sweep;

/// <summary>
/// Beyond upstream, which never looks: every <see cref="OrphanSweepOptions.Interval"/>, lists the instances this
/// cluster owns through each provider (tags <c>podvm.io/managed-by</c> + <c>podvm.io/cluster</c>), and deletes
/// those that no PeerPod names and whose pod (by the <c>podvm.io/pod-*</c> tags) is not alive, once they have
/// stayed so for the grace period. Each deletion is reported as an Event (on the pod, or on the node when the
/// instance names no pod).
/// </summary>
public sealed class OrphanSweeper
{
    private readonly IKubernetes _client;
    private readonly IReadOnlyList<ICloudProvider> _providers;
    private readonly OrphanSweepOptions _options;
    private readonly EventPoster _events;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<(string Provider, string Id), DateTimeOffset> _unclaimedSince = [];

    public OrphanSweeper(
        IKubernetes client, IEnumerable<ICloudProvider> providers, OrphanSweepOptions options, EventPoster events,
        ILogger<OrphanSweeper> logger, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ClusterName);
        _client = client;
        _providers = [.. providers];
        _options = options;
        _events = events;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    /// <summary>Raised after each sweep of <see cref="RunAsync"/> (null when the PeerPods could not be read).</summary>
    public event Action<SweepResult?>? Swept;

    /// <summary>Sweeps now, then every interval, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                SweepResult? result = null;
                try
                {
                    result = await SweepOnceAsync(cancellationToken);
                }
                catch (KubernetesIntegrationException ex)
                {
                    KubernetesLog.SweepFailed(_logger, "(kubernetes)", ex.Message);
                }

                // The next sweep's timer exists before observers hear about this one.
                var next = Task.Delay(_options.Interval, _timeProvider, cancellationToken);
                Swept?.Invoke(result);
                await next;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    public async Task<SweepResult> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var claimed = await ClaimedInstancesAsync(cancellationToken);
        var filter = new Dictionary<string, string>
        {
            [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue,
            [InstanceTags.Cluster] = _options.ClusterName,
        };
        if (_options.NodeName is not null)
        {
            filter[InstanceTags.Node] = _options.NodeName;
        }

        var now = _timeProvider.GetUtcNow();
        var seen = new HashSet<(string, string)>();
        var waiting = new List<ProviderInstance>();
        var deleted = new List<ProviderInstance>();
        var failed = new List<string>();
        var total = 0;
        var claimedCount = 0;
        foreach (var provider in _providers)
        {
            IReadOnlyList<ProviderInstance> instances;
            try
            {
                instances = await provider.ListInstancesAsync(filter, cancellationToken);
            }
            catch (ProviderException ex)
            {
                KubernetesLog.SweepFailed(_logger, provider.Name, ex.Message);
                failed.Add(provider.Name);
                continue;
            }

            foreach (var instance in instances.Where(i => i.State != InstanceState.Terminated))
            {
                total++;
                var key = (provider.Name, instance.Id);
                seen.Add(key);
                if (claimed.Contains(key) || await PodIsAliveAsync(instance, cancellationToken))
                {
                    claimedCount++;
                    _unclaimedSince.Remove(key);
                    continue;
                }

                if (!_unclaimedSince.TryGetValue(key, out var since))
                {
                    since = now;
                    _unclaimedSince[key] = now;
                    KubernetesLog.OrphanSeen(_logger, instance.Id, provider.Name);
                }

                var oldEnough = instance.CreatedAt is not { } created || now - created >= _options.GracePeriod;
                if (now - since < _options.GracePeriod || !oldEnough)
                {
                    waiting.Add(instance);
                    continue;
                }

                try
                {
                    await provider.DeleteInstanceAsync(instance.Id, cancellationToken);
                }
                catch (ProviderException ex)
                {
                    KubernetesLog.SweepFailed(_logger, provider.Name, ex.Message);
                    failed.Add(provider.Name);
                    continue;
                }

                _unclaimedSince.Remove(key);
                deleted.Add(instance);
                await ReportAsync(provider.Name, instance, now - since, cancellationToken);
            }
        }

        foreach (var gone in _unclaimedSince.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _unclaimedSince.Remove(gone);
        }

        return new SweepResult
        {
            InstancesSeen = total,
            Claimed = claimedCount,
            Waiting = waiting,
            Deleted = deleted,
            FailedProviders = [.. failed.Distinct(StringComparer.Ordinal)],
        };
    }

    private async Task<HashSet<(string, string)>> ClaimedInstancesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var list = await _client.CustomObjects.ListClusterCustomObjectAsync<PeerPodList>(
                PeerPodNames.Group, PeerPodNames.Version, PeerPodNames.Plural, cancellationToken: cancellationToken);
            return [.. list.Items.Select(p => (p.Spec.CloudProvider, p.Spec.InstanceId))];
        }
        catch (Exception ex) when (ApiErrors.IsApiFailure(ex))
        {
            // Without the PeerPods nothing can be called an orphan: skip this sweep entirely.
            throw ApiErrors.Wrap(ex, "listing PeerPods for the orphan sweep");
        }
    }

    private async Task<bool> PodIsAliveAsync(ProviderInstance instance, CancellationToken cancellationToken)
    {
        if (!instance.Tags.TryGetValue(InstanceTags.PodNamespace, out var ns) || !instance.Tags.TryGetValue(InstanceTags.PodName, out var name))
        {
            return false;
        }

        try
        {
            var pod = await _client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: cancellationToken);
            return pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase is not ("Succeeded" or "Failed");
        }
        catch (Exception ex) when (ApiErrors.Is(ex, HttpStatusCode.NotFound))
        {
            return false;
        }
        catch (Exception ex) when (ApiErrors.IsApiFailure(ex))
        {
            throw ApiErrors.Wrap(ex, $"reading pod {ns}/{name} for the orphan sweep");
        }
    }

    private async Task ReportAsync(string provider, ProviderInstance instance, TimeSpan unclaimedFor, CancellationToken cancellationToken)
    {
        instance.Tags.TryGetValue(InstanceTags.PodNamespace, out var ns);
        instance.Tags.TryGetValue(InstanceTags.PodName, out var podName);
        instance.Tags.TryGetValue(InstanceTags.Node, out var node);
        KubernetesLog.OrphanDeleted(_logger, instance.Id, provider, instance.Name, ns ?? "", podName ?? "");
        var target = ns is not null && podName is not null
            ? new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", NamespaceProperty = ns, Name = podName }
            : new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = node ?? _options.NodeName ?? _options.ClusterName };
        var minutes = Math.Round(unclaimedFor.TotalMinutes, 1).ToString(CultureInfo.InvariantCulture);
        var message = $"Deleted orphaned pod VM {instance.Name} (instance {instance.Id}, provider {provider}): no PeerPod and no live pod claimed it for {minutes} min.";
        await _events.PostAsync(target, "Warning", "PodVmOrphanDeleted", message, cancellationToken);
    }
}
