using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Configuration;
using PodVm.CloudApiAdaptor.Observability;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.CloudApiAdaptor.Proxy;
using PodVm.CloudApiAdaptor.Tls;

namespace PodVm.CloudApiAdaptor.Lifecycle;

/// <summary>
/// Runs the pod VM lifecycle: CreateVM, StartVM and StopVM become commands on a per-pod state machine. Commands
/// for one pod are serialised by its lock; different pods run in parallel. Every state change is persisted before
/// the next step, so a restarted adaptor re-attaches to running VMs and finishes or undoes interrupted steps.
/// </summary>
public sealed partial class PodManager : IAsyncDisposable
{
    private const int TombstoneLimit = 4096;
    private readonly AdaptorOptions _options;
    private readonly ICloudProvider _provider;
    private readonly ForwarderCertificateAuthority _ca;
    private readonly PodStateStore _store;
    private readonly AdaptorMetrics _metrics;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PodVmUserDataFactory _userData;
    private readonly IPodLifecycleObserver _observer;
    private readonly ConcurrentDictionary<string, Pod> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _stopped = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private InstanceTypeSelector? _selector;

    public PodManager(IOptions<AdaptorOptions> options, ICloudProvider provider, ForwarderCertificateAuthority ca, PodStateStore store,
        AdaptorMetrics metrics, ILoggerFactory loggerFactory, TimeProvider time, IPodLifecycleObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        _provider = provider;
        _ca = ca;
        _store = store;
        _metrics = metrics;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<PodManager>();
        _time = time;
        _userData = new PodVmUserDataFactory(ca);
        _observer = observer ?? new NoPodLifecycleObserver();
        metrics.ObservePods(() => _pods.Values.GroupBy(p => p.Record.State).ToDictionary(g => g.Key, g => g.Count()));
    }

    public ICloudProvider Provider => _provider;

    public AdaptorOptions Options => _options;

    /// <summary>The tags that mark a VM as this adaptor's (cluster and node), for listing and reconciling.</summary>
    public IReadOnlyDictionary<string, string> OwnerTags => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue,
        [InstanceTags.Cluster] = _options.ClusterName,
        [InstanceTags.Node] = _options.NodeName,
    };

    public IReadOnlyList<PodRecord> Snapshot() => _pods.Values.Select(p => p.Record).ToList();

    /// <summary>True when a live pod (created, starting or running) claims <paramref name="sandboxId"/>.</summary>
    public bool Claims(string sandboxId) =>
        _pods.TryGetValue(sandboxId, out var pod) && pod.Record.State is PodState.Created or PodState.Starting or PodState.Running;

    public string AgentSocketPath(string sandboxId) => Path.Combine(_options.PodsDirectory, sandboxId, "agent.ttrpc");

    /// <summary>Learns the instance types and recovers the pods a previous process left behind.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var catalogue = await _provider.GetInstanceTypesAsync(cancellationToken).ConfigureAwait(false);
        if (catalogue.Count == 0)
        {
            catalogue = _options.InstanceTypes.Select(t => t.ToInstanceType()).ToList();
        }

        _selector = new InstanceTypeSelector(catalogue, _options.AllowedInstanceTypes, _options.DefaultInstanceType);
        var pods = _store.LoadAll().Select(record => new Pod(record)).ToList();
        foreach (var pod in pods)
        {
            _pods[pod.Record.SandboxId] = pod;
        }

        // Each pod recovers on its own records and may wait on the provider and the lifecycle observer (bounded
        // calls): side by side, start-up takes as long as the slowest pod, not the sum over all of them.
        await Task.WhenAll(pods.Select(pod => RecoverAsync(pod, cancellationToken))).ConfigureAwait(false);
    }

    public async Task<string> CreateVmAsync(string sandboxId, IReadOnlyDictionary<string, string> annotations, string? networkNamespace, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        if (!SandboxIdPattern().IsMatch(sandboxId ?? string.Empty))
        {
            throw new AdaptorException(AdaptorErrorReason.InvalidRequest, $"CreateVM: sandbox id '{sandboxId}' must be 1-128 letters, digits, '-', '_' or '.'");
        }

        try
        {
            return await CreateVmCoreAsync(sandboxId!, annotations, networkNamespace, watch, cancellationToken).ConfigureAwait(false);
        }
        catch (AdaptorException ex) when (annotations is not null
            && annotations.TryGetValue(PodAnnotations.SandboxNameKey, out var podName) && !string.IsNullOrEmpty(podName)
            && annotations.TryGetValue(PodAnnotations.SandboxNamespaceKey, out var podNamespace) && !string.IsNullOrEmpty(podNamespace))
        {
            await NotifyFailedAsync(podNamespace, podName, sandboxId!, ex).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<string> CreateVmCoreAsync(string sandboxId, IReadOnlyDictionary<string, string> annotations, string? networkNamespace, Stopwatch watch, CancellationToken cancellationToken)
    {
        var parsed = AnnotationParser.Parse(sandboxId, annotations);
        var selection = Selector.Select(parsed);
        await _createLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_pods.TryGetValue(sandboxId, out var existing))
            {
                // The shim never repeats CreateVM; a repeat (retry after a lost reply) gets the same answer.
                return AgentSocketPath(existing.Record.SandboxId);
            }

            var live = _pods.Values.Count(p => p.Record.State is not PodState.Failed);
            if (live >= _options.MaxPods)
            {
                throw new AdaptorException(AdaptorErrorReason.PodLimitReached,
                    $"CreateVM for pod {parsed.PodNamespace}/{parsed.PodName}: this node already runs {live} pod VMs (limit Adaptor:MaxPods={_options.MaxPods})");
            }

            var record = new PodRecord
            {
                SandboxId = sandboxId,
                PodName = parsed.PodName,
                PodNamespace = parsed.PodNamespace,
                InstanceName = InstanceName(parsed.PodName, sandboxId),
                InstanceTypeName = selection.Chosen.Name,
                VCpus = selection.Chosen.VCpus,
                MemoryMiB = selection.Chosen.MemoryMiB,
                FallbackInstanceTypes = selection.Fallbacks.Select(t => t.Name).ToList(),
                Image = parsed.Image,
                NetworkNamespace = networkNamespace,
                InitData = parsed.InitData is null ? _options.DefaultInitData : annotations[PodAnnotations.InitDataKey],
                Tpm = parsed.Tpm,
                State = PodState.Created,
                CreatedAt = _time.GetUtcNow(),
            };
            Directory.CreateDirectory(Path.Combine(_options.PodsDirectory, sandboxId));
            _store.Save(record);
            _pods[sandboxId] = new Pod(record);
            _stopped.TryRemove(sandboxId, out _);
            AdaptorLog.VmCreated(_logger, sandboxId, record.PodNamespace, record.PodName, record.InstanceName, selection.Chosen.ToString());
            _metrics.CreateVm(watch.Elapsed);
            return AgentSocketPath(sandboxId);
        }
        finally
        {
            _createLock.Release();
        }
    }

    public async Task StartVmAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var pod = Find(sandboxId);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.DefaultStartTimeout);
        var watch = Stopwatch.StartNew();
        await pod.Lock.WaitAsync(deadline.Token).ConfigureAwait(false);
        try
        {
            switch (pod.Record.State)
            {
                case PodState.Running:
                    return;
                case PodState.Failed:
                    throw new AdaptorException(AdaptorErrorReason.WrongState, $"sandbox {sandboxId} failed earlier ({pod.Record.LastError}); stop it and create a new one");
                case PodState.Stopping:
                    throw new AdaptorException(AdaptorErrorReason.WrongState, $"sandbox {sandboxId} is stopping");
            }

            Update(pod, pod.Record with { State = PodState.Starting });
            var podGone = false;
            try
            {
                if (!await StartInstanceAsync(pod, deadline.Token).ConfigureAwait(false))
                {
                    podGone = true;
                    throw new AdaptorException(AdaptorErrorReason.WrongState,
                        $"StartVM for pod {pod.Record.PodNamespace}/{pod.Record.PodName} (sandbox {sandboxId}): the pod no longer exists; its VM {pod.Record.InstanceId} was deleted");
                }

                Update(pod, pod.Record with { State = PodState.Running, StartedAt = _time.GetUtcNow(), LastError = null });
                pod.Started.TrySetResult();
                _metrics.StartVm(watch.Elapsed, ok: true);
                AdaptorLog.VmStarted(_logger, sandboxId, pod.Record.InstanceId ?? "?", $"{pod.Record.ForwarderHost}:{pod.Record.ForwarderPort}", watch.Elapsed.TotalSeconds);
            }
            catch (Exception ex)
            {
                var error = Describe(ex, pod, watch.Elapsed);
                _metrics.StartVm(watch.Elapsed, ok: false);
                AdaptorLog.VmStartFailed(_logger, ex, sandboxId, error.Message);
                await UndoStartAsync(pod).ConfigureAwait(false);
                Update(pod, pod.Record with { State = PodState.Failed, LastError = error.Message });
                pod.Started.TrySetResult();
                if (!podGone)
                {
                    await NotifyFailedAsync(pod.Record.PodNamespace, pod.Record.PodName, sandboxId, error).ConfigureAwait(false);
                }

                throw error;
            }
        }
        finally
        {
            pod.Lock.Release();
        }
    }

    public async Task StopVmAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (!_pods.TryGetValue(sandboxId, out var pod))
        {
            if (_stopped.ContainsKey(sandboxId))
            {
                return;
            }

            throw new AdaptorException(AdaptorErrorReason.UnknownSandbox, $"sandbox {sandboxId} does not exist");
        }

        var watch = Stopwatch.StartNew();
        await pod.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_pods.ContainsKey(sandboxId))
            {
                return;
            }

            Update(pod, pod.Record with { State = PodState.Stopping });
            await FinishStopAsync(pod).ConfigureAwait(false);
            _metrics.StopVm(watch.Elapsed);
        }
        finally
        {
            pod.Lock.Release();
        }
    }

    /// <summary>podvminfo.GetInfo: the VM id of a pod, waiting for it to start when asked to.</summary>
    public async Task<string> GetInstanceIdAsync(string podName, string podNamespace, bool wait, CancellationToken cancellationToken)
    {
        var pod = _pods.Values.FirstOrDefault(p => p.Record.PodName == podName && p.Record.PodNamespace == podNamespace)
            ?? throw new AdaptorException(AdaptorErrorReason.UnknownSandbox, $"no pod VM for pod {podNamespace}/{podName}");
        if (wait && pod.Record.InstanceId is null)
        {
            await pod.Started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return pod.Record.InstanceId
            ?? throw new AdaptorException(AdaptorErrorReason.WrongState, $"pod {podNamespace}/{podName} has no VM yet (state {pod.Record.State})");
    }

    public async ValueTask DisposeAsync()
    {
        // Shutting down the adaptor leaves VMs running: a restarted adaptor re-attaches to them.
        foreach (var pod in _pods.Values)
        {
            if (pod.Proxy is { } proxy)
            {
                await proxy.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                await proxy.DisposeAsync().ConfigureAwait(false);
                pod.Proxy = null;
            }
        }

        _createLock.Dispose();
    }

    internal async Task DeleteInstanceAsync(string instanceId, string sandboxId)
    {
        using var timeout = new CancellationTokenSource(_options.DeleteTimeout, _time);
        try
        {
            await _provider.DeleteInstanceAsync(instanceId, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ProviderException or OperationCanceledException)
        {
            _metrics.ProviderError(ex is ProviderException p ? p.Reason.ToString() : "Timeout");
            AdaptorLog.DeleteFailed(_logger, ex, instanceId, sandboxId);
            throw new AdaptorException(AdaptorErrorReason.ProviderFailed, $"deleting VM {instanceId} of sandbox {sandboxId} failed: {ex.Message}; the reconciler will retry", ex);
        }
    }

    private InstanceTypeSelector Selector => _selector ?? throw new InvalidOperationException("PodManager.InitializeAsync has not run");

    /// <summary>Creates the instance and waits for its agent; false when the observer says the pod is gone.</summary>
    private async Task<bool> StartInstanceAsync(Pod pod, CancellationToken cancellationToken)
    {
        var record = pod.Record;
        var catalogue = Selector.Allowed.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var request = new CreateInstanceRequest
        {
            SandboxId = record.SandboxId,
            InstanceName = record.InstanceName,
            InstanceType = new InstanceType(record.InstanceTypeName, record.VCpus, record.MemoryMiB),
            FallbackInstanceTypes = record.FallbackInstanceTypes.Where(catalogue.ContainsKey).Select(n => catalogue[n]).ToList(),
            Image = record.Image,
            UserData = _userData.Build(record, _provider.MaxUserDataBytes),
            InitDataDigest = record.InitData is { Length: > 0 } initData ? PodVm.PodVmConfig.InitDataCodec.Decode(initData).Digest() : ReadOnlyMemory<byte>.Empty,
            Tpm = record.Tpm,
            Tags = new Dictionary<string, string>(OwnerTags, StringComparer.Ordinal)
            {
                [InstanceTags.SandboxId] = record.SandboxId,
                [InstanceTags.PodName] = record.PodName,
                [InstanceTags.PodNamespace] = record.PodNamespace,
            },
        };

        ProviderInstance instance;
        try
        {
            instance = await _provider.CreateInstanceAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException ex)
        {
            _metrics.ProviderError(ex.Reason.ToString());
            throw;
        }

        var address = instance.Addresses.FirstOrDefault(a => a.Kind == AddressKind.HostForward)
            ?? instance.Addresses.FirstOrDefault(a => a.Kind == AddressKind.Private)
            ?? (instance.Addresses.Count > 0 ? instance.Addresses[0] : null)
            ?? throw new AdaptorException(AdaptorErrorReason.ProviderFailed, $"sandbox {record.SandboxId}: VM {instance.Id} has no address");
        var port = address.Kind == AddressKind.HostForward ? address.Port : _options.ForwarderPort;
        Update(pod, pod.Record with { InstanceId = instance.Id, ForwarderHost = address.Host, ForwarderPort = port, InstanceTypeName = instance.InstanceTypeName ?? record.InstanceTypeName });
        if (await NotifyCreatedAsync(pod.Record, cancellationToken).ConfigureAwait(false) == PodPresence.Gone)
        {
            PodLifecycleObserverLog.PodGone(_logger, record.SandboxId, record.PodNamespace, record.PodName, instance.Id);
            return false;
        }

        var proxy = CreateProxy(pod.Record);
        pod.Proxy = proxy;
        await proxy.StartAsync(cancellationToken).ConfigureAwait(false);
        await proxy.WaitForAgentAsync(_time, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private AgentProxy CreateProxy(PodRecord record) => new(
        record.SandboxId,
        AgentSocketPath(record.SandboxId),
        new ForwarderConnector(record.ForwarderHost!, record.ForwarderPort, record.InstanceName, _ca, _time),
        _metrics,
        _loggerFactory,
        _time);

    private async Task UndoStartAsync(Pod pod)
    {
        if (pod.Proxy is { } proxy)
        {
            pod.Proxy = null;
            await proxy.DisposeAsync().ConfigureAwait(false);
        }

        var instanceId = pod.Record.InstanceId;
        if (instanceId is null)
        {
            // The create may have gone through even though it did not answer in time: find it by its tags.
            try
            {
                using var timeout = new CancellationTokenSource(_options.DeleteTimeout, _time);
                var found = await _provider.ListInstancesAsync(new Dictionary<string, string>(OwnerTags) { [InstanceTags.SandboxId] = pod.Record.SandboxId }, timeout.Token).ConfigureAwait(false);
                instanceId = found.Count > 0 ? found[0].Id : null;
            }
            catch (Exception ex) when (ex is ProviderException or OperationCanceledException)
            {
                AdaptorLog.DeleteFailed(_logger, ex, null, pod.Record.SandboxId);
            }
        }

        if (instanceId is not null)
        {
            try
            {
                await DeleteInstanceAsync(instanceId, pod.Record.SandboxId).ConfigureAwait(false);
                Update(pod, pod.Record with { InstanceId = null });
                await NotifyDeletedAsync(pod.Record, instanceId).ConfigureAwait(false);
            }
            catch (AdaptorException)
            {
                // Logged; the reconciler deletes it, since a Failed pod claims no VM.
            }
        }
    }

    private async Task FinishStopAsync(Pod pod)
    {
        var sandboxId = pod.Record.SandboxId;
        if (pod.Proxy is { } proxy)
        {
            pod.Proxy = null;
            await proxy.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            await proxy.DisposeAsync().ConfigureAwait(false);
        }

        if (pod.Record.InstanceId is { } instanceId)
        {
            await DeleteInstanceAsync(instanceId, sandboxId).ConfigureAwait(false);
            await NotifyDeletedAsync(pod.Record, instanceId).ConfigureAwait(false);
        }

        _store.Delete(sandboxId);
        _pods.TryRemove(sandboxId, out _);
        pod.Started.TrySetResult();
        RememberStopped(sandboxId);
        var podDirectory = Path.Combine(_options.PodsDirectory, sandboxId);
        try
        {
            if (Directory.Exists(podDirectory))
            {
                Directory.Delete(podDirectory, recursive: true);
            }
        }
        catch (IOException ex)
        {
            AdaptorLog.StopProblem(_logger, sandboxId, $"could not remove {podDirectory}: {ex.Message}");
        }

        AdaptorLog.VmStopped(_logger, sandboxId, pod.Record.InstanceId);
    }

    private async Task RecoverAsync(Pod pod, CancellationToken cancellationToken)
    {
        var record = pod.Record;
        string outcome;
        switch (record.State)
        {
            case PodState.Running when record.InstanceId is not null && record.ForwarderHost is not null:
                var instance = await _provider.GetInstanceAsync(record.InstanceId, cancellationToken).ConfigureAwait(false);
                if (instance is { State: InstanceState.Running or InstanceState.Pending })
                {
                    // Told again, as at StartVM: the integration may have missed the first call (the adaptor died
                    // between creating the instance and recording it), and the pod may have gone while it was down.
                    if (await NotifyCreatedAsync(record, cancellationToken).ConfigureAwait(false) == PodPresence.Gone)
                    {
                        await UndoStartAsync(pod).ConfigureAwait(false);
                        Update(pod, pod.Record with { State = PodState.Failed, LastError = $"the pod {record.PodNamespace}/{record.PodName} no longer exists; its VM {record.InstanceId} was deleted" });
                        outcome = "its pod no longer exists; VM deleted and marked failed";
                        break;
                    }

                    var proxy = CreateProxy(record);
                    await proxy.StartAsync(cancellationToken).ConfigureAwait(false);
                    pod.Proxy = proxy;
                    pod.Started.TrySetResult();
                    outcome = $"re-attached to VM {record.InstanceId}; the pod keeps its agent socket";
                }
                else
                {
                    Update(pod, record with { State = PodState.Failed, LastError = $"VM {record.InstanceId} is gone ({instance?.State.ToString() ?? "unknown to the provider"})" });
                    outcome = "its VM is gone; marked failed";
                }

                break;
            case PodState.Starting or PodState.Running:
                await UndoStartAsync(pod).ConfigureAwait(false);
                Update(pod, pod.Record with { State = PodState.Failed, LastError = "the adaptor restarted while this pod VM was starting" });
                outcome = "its start was interrupted; VM deleted and marked failed";
                break;
            case PodState.Stopping:
                try
                {
                    await FinishStopAsync(pod).ConfigureAwait(false);
                    outcome = "finished stopping";
                }
                catch (AdaptorException ex)
                {
                    outcome = ex.Message;
                }

                break;
            default:
                outcome = "kept";
                break;
        }

        AdaptorLog.Recovered(_logger, record.SandboxId, record.State, outcome);
    }

    private async Task<PodPresence> NotifyCreatedAsync(PodRecord record, CancellationToken cancellationToken)
    {
        try
        {
            return await _observer.OnInstanceCreatedAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            PodLifecycleObserverLog.ObserverFailed(_logger, ex, record.SandboxId, nameof(IPodLifecycleObserver.OnInstanceCreatedAsync));
            return PodPresence.Present;
        }
    }

    private async Task NotifyDeletedAsync(PodRecord record, string instanceId)
    {
        try
        {
            await _observer.OnInstanceDeletedAsync(record, instanceId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            PodLifecycleObserverLog.ObserverFailed(_logger, ex, record.SandboxId, nameof(IPodLifecycleObserver.OnInstanceDeletedAsync));
        }
    }

    private async Task NotifyFailedAsync(string podNamespace, string podName, string sandboxId, AdaptorException error)
    {
        try
        {
            await _observer.OnPodVmFailedAsync(podNamespace, podName, sandboxId, error, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            PodLifecycleObserverLog.ObserverFailed(_logger, ex, sandboxId, nameof(IPodLifecycleObserver.OnPodVmFailedAsync));
        }
    }

    private Pod Find(string sandboxId) => _pods.TryGetValue(sandboxId, out var pod)
        ? pod
        : throw new AdaptorException(AdaptorErrorReason.UnknownSandbox, $"sandbox {sandboxId} does not exist");

    private void Update(Pod pod, PodRecord record)
    {
        _store.Save(record);
        pod.Record = record;
    }

    private void RememberStopped(string sandboxId)
    {
        _stopped[sandboxId] = _time.GetUtcNow();
        if (_stopped.Count > TombstoneLimit)
        {
            foreach (var old in _stopped.OrderBy(kv => kv.Value).Take(_stopped.Count - TombstoneLimit).ToList())
            {
                _stopped.TryRemove(old.Key, out _);
            }
        }
    }

    private AdaptorException Describe(Exception ex, Pod pod, TimeSpan elapsed) => ex switch
    {
        AdaptorException adaptor => adaptor,
        ProviderException provider => new AdaptorException(
            provider.Reason is ProviderErrorReason.QuotaExceeded or ProviderErrorReason.InsufficientCapacity ? AdaptorErrorReason.PodLimitReached : AdaptorErrorReason.ProviderFailed,
            $"StartVM for pod {pod.Record.PodNamespace}/{pod.Record.PodName} (sandbox {pod.Record.SandboxId}): the {_provider.Name} provider could not create VM {pod.Record.InstanceName} ({provider.Reason}): {provider.Message}",
            provider),
        OperationCanceledException => new AdaptorException(
            AdaptorErrorReason.Timeout,
            $"StartVM for sandbox {pod.Record.SandboxId} did not finish within {elapsed.TotalSeconds:0}s (the shim's deadline); the VM was deleted",
            ex),
        _ => new AdaptorException(AdaptorErrorReason.Internal, $"StartVM for sandbox {pod.Record.SandboxId} failed: {ex.Message}", ex),
    };

    /// <summary>podvm-&lt;pod&gt;-&lt;first 8 of the sandbox id&gt;, lower-case DNS label, at most 63 characters (upstream's name).</summary>
    internal static string InstanceName(string podName, string sandboxId)
    {
        var suffix = "-" + new string(sandboxId.Where(char.IsAsciiLetterOrDigit).Take(8).ToArray()).ToLowerInvariant();
        var safe = new string(podName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        var name = "podvm-" + safe;
        var max = 63 - suffix.Length;
        return (name.Length > max ? name[..max].TrimEnd('-') : name) + suffix;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex SandboxIdPattern();
}
