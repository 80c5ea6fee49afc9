using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using k8s;
using Microsoft.Extensions.Logging;
using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Kubernetes.PeerPods;

/// <summary>
/// Deletes the instance of every PeerPod that is being deleted while it still carries the finalizer (its Pod went
/// away without a StopVM), then removes the finalizer so Kubernetes can let the object go.
/// It lists, then watches from the list's resourceVersion; a watch that ends is resumed from the last
/// resourceVersion seen, and a 410 Gone (the version was compacted away) makes it list again. Work goes through a
/// de-duplicating queue with one worker; a failed deletion is retried after <see cref="PeerPodControllerOptions.RetryDelay"/>.
/// </summary>
public sealed class PeerPodController
{
    private readonly IKubernetes _client;
    private readonly Dictionary<string, ICloudProvider> _providers;
    private readonly PeerPodControllerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Channel<(string Namespace, string Name)> _queue = Channel.CreateUnbounded<(string, string)>();
    private readonly ConcurrentDictionary<(string, string), byte> _queued = new();
    private int _lists;

    public PeerPodController(
        IKubernetes client, IEnumerable<ICloudProvider> providers, PeerPodControllerOptions options,
        ILogger<PeerPodController> logger, TimeProvider timeProvider)
    {
        _client = client;
        _providers = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);
        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    /// <summary>How many times the controller has listed PeerPods (the first list, then one per 410 Gone or failure).</summary>
    public int ListCount => Volatile.Read(ref _lists);

    /// <summary>Raised after each reconciliation of one PeerPod (tests and metrics).</summary>
    public event Action<string, string, bool>? Reconciled;

    private string? LabelSelector => _options.NodeName is null ? null : $"{PeerPodNames.NodeLabel}={_options.NodeName}";

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var worker = WorkAsync(cancellationToken);
        try
        {
            await WatchLoopAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        _queue.Writer.TryComplete();
        await worker;
    }

    private async Task WatchLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string resourceVersion;
            try
            {
                resourceVersion = await ListAndQueueAsync(cancellationToken);
            }
            catch (Exception ex) when (ApiErrors.IsApiFailure(ex))
            {
                KubernetesLog.ListFailed(_logger, ex.Message);
                await Task.Delay(_options.RetryDelay, _timeProvider, cancellationToken);
                continue;
            }

            // Watch until the version is gone (410) or the stream fails, resuming from the last version seen.
            while (!cancellationToken.IsCancellationRequested)
            {
                var outcome = await WatchOnceAsync(resourceVersion, cancellationToken);
                if (outcome.Gone)
                {
                    KubernetesLog.WatchExpired(_logger, resourceVersion);
                    break;
                }

                if (outcome.Failure is not null)
                {
                    KubernetesLog.WatchFailed(_logger, outcome.Failure.Message);
                    await Task.Delay(_options.RetryDelay, _timeProvider, cancellationToken);
                }

                resourceVersion = outcome.ResourceVersion;
            }
        }
    }

    private async Task<string> ListAndQueueAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lists);
        var list = await _client.CustomObjects.ListClusterCustomObjectAsync<PeerPodList>(
            PeerPodNames.Group, PeerPodNames.Version, PeerPodNames.Plural,
            labelSelector: LabelSelector, cancellationToken: cancellationToken);
        foreach (var peerPod in list.Items)
        {
            Consider(peerPod);
        }

        return list.Metadata.ResourceVersion;
    }

    private async Task<(string ResourceVersion, bool Gone, Exception? Failure)> WatchOnceAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        // The client reports in-stream ERROR events (e.g. 410 Expired) through onError, not by throwing.
        Exception? streamError = null;
        try
        {
            var events = _client.CustomObjects.WatchListClusterCustomObjectAsync(
                PeerPodNames.Group, PeerPodNames.Version, PeerPodNames.Plural,
                allowWatchBookmarks: true, labelSelector: LabelSelector, resourceVersion: resourceVersion,
                timeoutSeconds: (int)_options.WatchTimeout.TotalSeconds, onError: e => streamError ??= e,
                cancellationToken: cancellationToken);
            await foreach (var (type, item) in events)
            {
                var peerPod = KubernetesJson.Deserialize<PeerPod>(KubernetesJson.Serialize(item));
                if (peerPod.Metadata?.ResourceVersion is { Length: > 0 } version)
                {
                    resourceVersion = version;
                }

                if (type is WatchEventType.Added or WatchEventType.Modified)
                {
                    Consider(peerPod);
                }
            }

            if (streamError is not null)
            {
                return (resourceVersion, ApiErrors.Is(streamError, HttpStatusCode.Gone), ApiErrors.Is(streamError, HttpStatusCode.Gone) ? null : streamError);
            }

            return (resourceVersion, false, null);
        }
        catch (Exception ex) when (ApiErrors.Is(ex, HttpStatusCode.Gone))
        {
            return (resourceVersion, true, null);
        }
        catch (Exception ex) when (ApiErrors.IsApiFailure(ex) || ex is IOException or System.Text.Json.JsonException)
        {
            return (resourceVersion, false, ex);
        }
    }

    private void Consider(PeerPod peerPod)
    {
        if (peerPod.Metadata.DeletionTimestamp is not null && peerPod.Metadata.Finalizers?.Contains(PeerPodNames.Finalizer) == true)
        {
            Enqueue(peerPod.Metadata.NamespaceProperty, peerPod.Metadata.Name);
        }
    }

    private void Enqueue(string ns, string name)
    {
        if (_queued.TryAdd((ns, name), 0))
        {
            _queue.Writer.TryWrite((ns, name));
        }
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (ns, name) in _queue.Reader.ReadAllAsync(cancellationToken))
            {
                _queued.TryRemove((ns, name), out _);
                bool done;
                try
                {
                    done = await ReconcileAsync(ns, name, cancellationToken);
                }
                catch (Exception ex) when (ex is ProviderException or KubernetesIntegrationException)
                {
                    KubernetesLog.ReconcileFailed(_logger, ns, name, ex.Message);
                    done = false;
                }

                if (!done)
                {
                    // Started before Reconciled is raised, so the retry timer exists when observers see the failure.
                    _ = RetryLaterAsync(ns, name, cancellationToken);
                }

                Reconciled?.Invoke(ns, name, done);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RetryLaterAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(_options.RetryDelay, _timeProvider, cancellationToken);
            Enqueue(ns, name);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    /// <summary>
    /// Reads the PeerPod fresh and, if it is being deleted with the finalizer on, deletes its instance and removes
    /// the finalizer. True when nothing is left to do.
    /// </summary>
    internal async Task<bool> ReconcileAsync(string ns, string name, CancellationToken cancellationToken)
    {
        PeerPod peerPod;
        try
        {
            peerPod = await _client.CustomObjects.GetNamespacedCustomObjectAsync<PeerPod>(
                PeerPodNames.Group, PeerPodNames.Version, ns, PeerPodNames.Plural, name, cancellationToken);
        }
        catch (Exception ex) when (ApiErrors.Is(ex, HttpStatusCode.NotFound))
        {
            return true;
        }
        catch (Exception ex) when (ApiErrors.IsApiFailure(ex))
        {
            throw ApiErrors.Wrap(ex, $"reading PeerPod {ns}/{name}");
        }

        if (peerPod.Metadata.DeletionTimestamp is null || peerPod.Metadata.Finalizers?.Contains(PeerPodNames.Finalizer) != true)
        {
            return true;
        }

        if (!_providers.TryGetValue(peerPod.Spec.CloudProvider, out var provider))
        {
            KubernetesLog.ProviderNotConfigured(_logger, ns, name, peerPod.Spec.CloudProvider);
            return false;
        }

        var existed = await provider.DeleteInstanceAsync(peerPod.Spec.InstanceId, cancellationToken);
        KubernetesLog.InstanceDeletedForPeerPod(_logger, ns, name, peerPod.Spec.InstanceId, provider.Name, existed);
        await PeerPodFinalizer.RemoveAsync(_client, ns, name, cancellationToken);
        return true;
    }
}
