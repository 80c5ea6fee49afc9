using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using PodVm.GuestAgent.Cgroups;
using PodVm.GuestAgent.Confidential;
using PodVm.GuestAgent.Images;
using PodVm.GuestAgent.Interop;
using PodVm.GuestAgent.Oci;
using PodVm.GuestAgent.Policy;
using PodVm.GuestAgent.Stdio;
using PodVm.Protocols.Agent;

namespace PodVm.GuestAgent.Runtime;

/// <summary>
/// The sandbox and its containers: turns agent requests into crun operations. Operations on one container are
/// serialised by the container's lock; different containers proceed in parallel.
/// </summary>
internal sealed partial class ContainerManager : IDisposable
{
    private readonly AgentOptions _options;
    private readonly CrunRuntime _crun;
    private readonly ImageStore _images;
    private readonly PolicyEngine _policy;
    private readonly OomMonitor _oom;
    private readonly CgroupStatsReader _stats;
    private readonly ILogger _logger;
    private readonly ConfidentialDataHubGate _cdh;
    private readonly ConcurrentDictionary<string, Container> _containers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sandboxLock = new(1, 1);
    private SharedNamespaces? _sharedNamespaces;
    private bool _sandboxPidns;
    private string? _sandboxPidPath;
    private string? _sandboxId;

    public ContainerManager(AgentOptions options, PolicyEngine policy, ILogger logger)
    {
        _options = options;
        _policy = policy;
        _logger = logger;
        _crun = new CrunRuntime(options);
        _images = new ImageStore(options.ImagesDirectory);
        Cgroups = new CgroupPaths(options.CgroupRoot);
        _oom = new OomMonitor(Cgroups);
        _stats = new CgroupStatsReader(Cgroups);
        _cdh = new ConfidentialDataHubGate(options, logger, TimeProvider.System);
    }

    public CgroupPaths Cgroups { get; }

    public int ContainerCount => _containers.Count;

    public async Task CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        await _sandboxLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sandboxId is not null)
            {
                throw new AgentException(AgentErrorReason.AlreadyExists, $"sandbox {_sandboxId} already exists");
            }

            _sharedNamespaces = SharedNamespaces.Create(Path.Combine(_options.StateDirectory, "sandbox", "ns"), request.Hostname);
            _sandboxPidns = request.SandboxPidns;
            _sandboxId = request.SandboxId.Length > 0 ? request.SandboxId : "sandbox";
            AgentLog.SandboxCreated(_logger, _sandboxId, request.Hostname, request.SandboxPidns);
        }
        finally
        {
            _sandboxLock.Release();
        }
    }

    public async Task DestroySandboxAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _containers.Keys.ToList())
        {
            await RemoveContainerAsync(id, 10, cancellationToken).ConfigureAwait(false);
        }

        await _sandboxLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _sharedNamespaces?.Destroy();
            _sharedNamespaces = null;
            _sandboxId = null;
            _sandboxPidns = false;
            _sandboxPidPath = null;
        }
        finally
        {
            _sandboxLock.Release();
        }
    }

    public async Task CreateContainerAsync(CreateContainerRequest request, CancellationToken cancellationToken)
    {
        var id = request.ContainerId;
        ValidateId(id, "container id");
        var spec = request.OCI ?? throw new AgentException(AgentErrorReason.InvalidArgument, $"container {id}: no OCI spec");
        if (spec.Process is { Terminal: true })
        {
            throw new AgentException(AgentErrorReason.InvalidArgument, $"container {id}: terminal (tty) processes are not supported by this agent");
        }

        var reference = ImageStore.FindImageReference(request.Storages)
            ?? throw new AgentException(AgentErrorReason.InvalidArgument,
                $"container {id}: no image_guest_pull storage; images are pulled in the guest, never provided by the host");

        var placeholder = new Container(id, string.Empty, string.Empty, string.Empty, reference, false);
        if (!_containers.TryAdd(id, placeholder))
        {
            throw new AgentException(AgentErrorReason.AlreadyExists, $"container {id} already exists");
        }

        var bundle = Path.Combine(_options.StateDirectory, "bundles", id);
        var rootfs = Path.Combine(_options.ContainersRoot, id, "rootfs");
        try
        {
            Directory.CreateDirectory(bundle);
            if (Directory.Exists(rootfs))
            {
                Directory.Delete(rootfs, recursive: true);
            }

            var image = await Task.Run(() => _images.Unpack(reference, rootfs), cancellationToken).ConfigureAwait(false);
            var args = CrunConfigBuilder.EffectiveArgs(spec.Process, [.. image.Entrypoint, .. image.Cmd]);
            if (args.Count == 0)
            {
                throw new AgentException(AgentErrorReason.InvalidArgument, $"container {id}: no command (neither the spec nor the image gives one)");
            }

            Authorize(_policy.CheckCreateContainer(reference, args), "CreateContainer");

            string? sharedPid;
            await _sandboxLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                sharedPid = (_sandboxPidns || request.SandboxPidns) ? _sandboxPidPath : null;
            }
            finally
            {
                _sandboxLock.Release();
            }

            var cgroup = $"{_options.CgroupParent.TrimEnd('/')}/{id}";
            var options = new CrunBundleOptions
            {
                RootfsPath = rootfs,
                CgroupsPath = cgroup,
                Namespaces = NamespacePlanner.Plan(spec, _sharedNamespaces?.IpcPath, _sharedNamespaces?.UtsPath, sharedPid),
                DefaultArgs = args,
                DefaultEnv = image.Env,
                DefaultCwd = image.WorkingDir,
            };
            var config = CrunConfigBuilder.Build(spec, options, p => File.Exists(p) || Directory.Exists(p), out var dropped);
            foreach (var d in dropped)
            {
                AgentLog.MountDropped(_logger, id, d);
            }

            await File.WriteAllBytesAsync(Path.Combine(bundle, "config.json"), config, cancellationToken).ConfigureAwait(false);
            var spawn = await _crun.CreateAsync(id, bundle, cancellationToken).ConfigureAwait(false);
            var container = new Container(id, bundle, rootfs, cgroup, reference, ownsPidNamespace: sharedPid is null);
            container.Init = NewProcess(id, id, spawn, isInit: true);
            if ((_sandboxPidns || request.SandboxPidns) && sharedPid is null)
            {
                _sandboxPidPath = $"/proc/{spawn.Pid}/ns/pid";
            }

            if (!_oom.Watch(id, cgroup))
            {
                AgentLog.NoOomWatch(_logger, id);
            }

            _containers[id] = container;
            AgentLog.ContainerCreated(_logger, id, reference, spawn.Pid);
        }
        catch
        {
            _containers.TryRemove(id, out _);
            TryDelete(bundle);
            TryDelete(Path.GetDirectoryName(rootfs)!);
            throw;
        }
    }

    public async Task StartContainerAsync(string id, CancellationToken cancellationToken)
    {
        var c = Get(id);
        await _cdh.WaitAsync(cancellationToken).ConfigureAwait(false);
        await c.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (c.Started)
            {
                throw new AgentException(AgentErrorReason.FailedPrecondition, $"container {id} is already started");
            }

            await _crun.StartAsync(id, c.Bundle, cancellationToken).ConfigureAwait(false);
            c.Started = true;
        }
        finally
        {
            c.Lock.Release();
        }
    }

    public async Task ExecProcessAsync(ExecProcessRequest request, CancellationToken cancellationToken)
    {
        var c = Get(request.ContainerId);
        ValidateId(request.ExecId, "exec id");
        var process = request.Process ?? throw new AgentException(AgentErrorReason.InvalidArgument, "ExecProcess without a process");
        if (process.Terminal)
        {
            throw new AgentException(AgentErrorReason.InvalidArgument, "terminal (tty) exec is not supported by this agent");
        }

        if (process.Args.Count == 0)
        {
            throw new AgentException(AgentErrorReason.InvalidArgument, "ExecProcess without args");
        }

        Authorize(_policy.CheckExec(process.Args), "ExecProcess");
        await c.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (c.Execs.ContainsKey(request.ExecId))
            {
                throw new AgentException(AgentErrorReason.AlreadyExists, $"process {request.ExecId} already exists in container {c.Id}");
            }

            if (c.Init is null || c.Init.HasExited || !c.Started)
            {
                throw new AgentException(AgentErrorReason.FailedPrecondition, $"container {c.Id} is not running");
            }

            var processJson = Path.Combine(c.Bundle, $"exec-{request.ExecId}.json");
            await File.WriteAllBytesAsync(processJson, CrunConfigBuilder.BuildProcess(process), cancellationToken).ConfigureAwait(false);
            var spawn = await _crun.ExecAsync(c.Id, request.ExecId, c.Bundle, processJson, cancellationToken).ConfigureAwait(false);
            c.Execs[request.ExecId] = NewProcess(c.Id, request.ExecId, spawn, isInit: false);
        }
        finally
        {
            c.Lock.Release();
        }
    }

    public async Task SignalProcessAsync(string id, string execId, int signal, CancellationToken cancellationToken)
    {
        var c = Get(id);
        var p = c.Process(execId);
        if (p.IsInit && signal == LibC.SIGTERM && c.OwnsPidNamespace && !p.HandlesSignal(LibC.SIGTERM))
        {
            // As the Kata agent: the init of a PID namespace ignores an unhandled SIGTERM from outside, so it would never stop.
            signal = LibC.SIGKILL;
        }

        p.Signal(signal);
        if (p.IsInit && execId.Length == 0 && signal == LibC.SIGKILL)
        {
            foreach (var e in c.Execs.Values)
            {
                e.Signal(LibC.SIGKILL);
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
        _ = cancellationToken;
    }

    public async Task<int> WaitProcessAsync(string id, string execId, CancellationToken cancellationToken)
    {
        var p = Get(id).Process(execId);
        return await p.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<byte[]?> ReadAsync(string id, string execId, bool stderr, int length, CancellationToken cancellationToken)
    {
        var p = Get(id).Process(execId);
        return (stderr ? p.Stderr : p.Stdout).ReadAsync(length, cancellationToken);
    }

    public Task<int> WriteStdinAsync(string id, string execId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        Get(id).Process(execId).Stdin.WriteAsync(data, cancellationToken);

    public Task CloseStdinAsync(string id, string execId, CancellationToken cancellationToken) =>
        Get(id).Process(execId).Stdin.CloseAsync(cancellationToken);

    public void TtyWinResize(string id, string execId)
    {
        _ = Get(id).Process(execId);
        throw new AgentException(AgentErrorReason.FailedPrecondition, $"process {(execId.Length > 0 ? execId : id)} has no terminal");
    }

    public CgroupStats Stats(string id) => _stats.Read(Get(id).CgroupPath);

    public async Task UpdateContainerAsync(string id, LinuxResources resources, CancellationToken cancellationToken)
    {
        var c = Get(id);
        var file = Path.Combine(c.Bundle, "update.json");
        await File.WriteAllBytesAsync(file, CrunConfigBuilder.BuildResources(resources), cancellationToken).ConfigureAwait(false);
        await _crun.UpdateAsync(id, c.Bundle, file, cancellationToken).ConfigureAwait(false);
    }

    public Task PauseAsync(string id, CancellationToken cancellationToken) => _crun.PauseAsync(id, Get(id).Bundle, cancellationToken);

    public Task ResumeAsync(string id, CancellationToken cancellationToken) => _crun.ResumeAsync(id, Get(id).Bundle, cancellationToken);

    public ValueTask<string> NextOomAsync(CancellationToken cancellationToken) => _oom.NextAsync(cancellationToken);

    public async Task RemoveContainerAsync(string id, uint timeoutSeconds, CancellationToken cancellationToken)
    {
        var c = Get(id);
        await c.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var processes = c.Execs.Values.Append(c.Init).OfType<ContainerProcess>().ToList();
            if (processes.Exists(p => !p.HasExited))
            {
                foreach (var p in processes)
                {
                    p.Signal(LibC.SIGKILL);
                }

                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (timeoutSeconds > 0)
                {
                    deadline.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
                }

                try
                {
                    await Task.WhenAll(processes.Select(p => p.Exited)).WaitAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new AgentException(AgentErrorReason.FailedPrecondition, $"container {id} did not stop within {timeoutSeconds}s");
                }
            }

            _oom.Unwatch(id);
            await _crun.DeleteAsync(id, c.Bundle, cancellationToken).ConfigureAwait(false);
            foreach (var p in processes)
            {
                p.Dispose();
            }

            _containers.TryRemove(id, out _);
            TryDelete(c.Bundle);
            TryDelete(Path.GetDirectoryName(c.Rootfs)!);
            AgentLog.ContainerRemoved(_logger, id);
        }
        finally
        {
            c.Lock.Release();
        }
    }

    public void Dispose()
    {
        _oom.Dispose();
        _sandboxLock.Dispose();
    }

    private static void Authorize(PolicyDecision decision, string method)
    {
        if (!decision.Allowed)
        {
            throw new AgentException(AgentErrorReason.PermissionDenied, decision.Message);
        }

        _ = method;
    }

    private ContainerProcess NewProcess(string containerId, string execId, CrunSpawn spawn, bool isInit)
    {
        var exited = ProcessReaper.WaitAsync(spawn.Pid);
        _ = exited.ContinueWith(t => AgentLog.ProcessExited(_logger, containerId, execId, t.Result), CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        return new ContainerProcess(execId, spawn.Pid, isInit, new InputStream(spawn.Stdin),
            new OutputBuffer(spawn.Stdout, _options.StdioBufferBytes), new OutputBuffer(spawn.Stderr, _options.StdioBufferBytes), exited);
    }

    private Container Get(string id) =>
        _containers.TryGetValue(id, out var c) && c.Init is not null
            ? c
            : throw new AgentException(AgentErrorReason.NotFound, $"container {id} not found");

    private static void ValidateId(string id, string what)
    {
        if (!IdPattern().IsMatch(id))
        {
            throw new AgentException(AgentErrorReason.InvalidArgument, $"{what} '{id}' is not valid ([A-Za-z0-9][A-Za-z0-9_.-]{{0,127}})");
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the VM's end; nothing depends on it.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex IdPattern();
}
