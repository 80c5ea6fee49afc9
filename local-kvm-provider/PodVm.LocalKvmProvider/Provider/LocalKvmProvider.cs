using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.LocalKvmProvider.Image;
using PodVm.LocalKvmProvider.Networking;
using PodVm.LocalKvmProvider.Qemu;
using PodVm.LocalKvmProvider.SideChannel;
using PodVm.LocalKvmProvider.Keys;
using PodVm.LocalKvmProvider.Tee;
using PodVm.LocalKvmProvider.Tpm;
using PodVm.LocalKvmProvider.Vms;

namespace PodVm.LocalKvmProvider.Provider;

/// <summary>
/// The local provider: every pod VM is a QEMU process on this host (KVM where the host has VMX/SVM, TCG otherwise),
/// booted from the pod VM image with the user data on fw_cfg, reachable at a forwarded 127.0.0.1 port. Each VM has
/// a directory with an atomically written state file, so a restarted provider adopts live VMs and cleans dead ones.
/// Disposing the provider stops supervising; the VMs keep running.
/// </summary>
public sealed class LocalKvmProvider : ICloudProvider, IAsyncDisposable
{
    public const string ProviderName = "local";
    private static readonly TimeSpan QuitDeadline = TimeSpan.FromSeconds(3);

    private readonly LocalKvmProviderOptions _options;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<ISideChannelHandler> _handlers;
    private readonly TimeProvider _time;
    private readonly VmStateStore _store;
    private readonly LoopbackPortAllocator _ports = new();
    private readonly ConcurrentDictionary<string, VmRuntime> _runtimes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _scanGate = new(1, 1);
    private readonly Accelerator _accelerator;
    private readonly ECDsa? _platformKey;

    public LocalKvmProvider(
        IOptions<LocalKvmProviderOptions> options,
        ILogger<LocalKvmProvider>? logger = null,
        IEnumerable<ISideChannelHandler>? handlers = null,
        TimeProvider? timeProvider = null)
    {
        _options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _store = new VmStateStore(_options.StateDirectory);
        var all = handlers?.ToList() ?? [];
        if (_options.DevelopmentTee)
        {
            _platformKey = EcKeyFile.LoadOrCreateP384(_options.PlatformKeyFile);
            DevelopmentTeeLog.Enabled(_logger, _options.PlatformKeyFile, EcKeyFile.PublicKeyFile(_options.PlatformKeyFile));
            all.Add(new DevelopmentTeeReportHandler(_platformKey, GetState, _time, _logger));
        }

        _handlers = all;
        _accelerator = AcceleratorDetector.Resolve(_options.Accelerator);
    }

    public string Name => ProviderName;

    /// <summary>The accelerator VMs run with on this host.</summary>
    public Accelerator Accelerator => _accelerator;

    /// <summary>The local sizes from configuration.</summary>
    public IReadOnlyList<InstanceType> InstanceTypes =>
        [.. _options.InstanceTypes.Select(t => new InstanceType(t.Name, t.VCpus, t.MemoryMiB))];

    /// <summary>Raised (on a pool thread) when a VM's QEMU dies without being deleted.</summary>
    public event EventHandler<InstanceExitedEventArgs>? InstanceExited;

    public static string InstanceIdFor(string idempotencyKey) =>
        "vm-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..12];

    /// <summary>The VM's console log (kept after it dies, until it is deleted and its retention passes).</summary>
    public string ConsoleLogPath(string instanceId) => _store.DirectoryFor(instanceId).ConsoleLog;

    /// <summary>The VM's state as recorded in its directory, or null.</summary>
    public VmState? GetState(string instanceId) =>
        _runtimes.TryGetValue(instanceId, out var runtime) ? runtime.State : VmStateStore.TryRead(_store.DirectoryFor(instanceId));

    /// <summary>The host end of the VM's side channel, for components that speak to the guest over it.</summary>
    public SideChannelConnection? SideChannel(string instanceId) =>
        _runtimes.TryGetValue(instanceId, out var runtime) ? runtime.Side : null;

    /// <summary>QEMU's pid, or null when the VM is unknown or gone.</summary>
    public int? ProcessId(string instanceId) =>
        _runtimes.TryGetValue(instanceId, out var runtime) && !runtime.Process.HasExited ? runtime.Process.Pid : null;

    public async Task<ProviderInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken)
    {
        await ScanAsync(cancellationToken);
        if (request.UserData.Length > _options.MaxUserDataBytes)
        {
            throw new ProviderException(ProviderErrorReason.UserDataTooLarge, $"User data for {request.InstanceName} is {request.UserData.Length} bytes; the local provider accepts at most {_options.MaxUserDataBytes} (LocalKvm:MaxUserDataBytes).");
        }

        if (request.InstanceType.VCpus < 1 || request.InstanceType.MemoryMiB < 64)
        {
            throw new ProviderException(ProviderErrorReason.InvalidConfiguration, $"Instance type {request.InstanceType} is too small for a pod VM (at least 1 vCPU and 64 MiB).");
        }

        var id = InstanceIdFor(request.IdempotencyKey);
        var gate = _gates.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_runtimes.TryGetValue(id, out var existing))
            {
                if (!existing.Process.HasExited)
                {
                    return ToInstance(existing);
                }

                await RemoveAsync(existing, "replaced by a new create", CancellationToken.None);
            }

            return await StartAsync(id, request, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<bool> DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        await ScanAsync(cancellationToken);
        var gate = _gates.GetOrAdd(instanceId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_runtimes.TryGetValue(instanceId, out var runtime))
            {
                await RemoveAsync(runtime, "deleted", cancellationToken);
                return true;
            }

            var directory = _store.DirectoryFor(instanceId);
            if (Directory.Exists(directory.Path))
            {
                CleanDirectory(directory, VmStateStore.TryRead(directory));
                return true;
            }

            return false;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<ProviderInstance?> GetInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        await ScanAsync(cancellationToken);
        return _runtimes.TryGetValue(instanceId, out var runtime) ? ToInstance(runtime) : null;
    }

    public async Task<IReadOnlyList<ProviderInstance>> ListInstancesAsync(
        IReadOnlyDictionary<string, string> tagFilter, CancellationToken cancellationToken)
    {
        await ScanAsync(cancellationToken);
        return [.. _runtimes.Values
            .Where(r => tagFilter.All(f => r.State.Tags.TryGetValue(f.Key, out var value) && value == f.Value))
            .OrderBy(r => r.State.CreatedAt)
            .Select(ToInstance)];
    }

    /// <summary>
    /// Looks at every VM directory this provider does not supervise yet: adopts those whose QEMU still runs and
    /// cleans up those whose QEMU is gone. Runs before every call, so VMs created by another process show up.
    /// </summary>
    public async Task ScanAsync(CancellationToken cancellationToken)
    {
        await _scanGate.WaitAsync(cancellationToken);
        try
        {
            PruneLogs();
            foreach (var directory in _store.EnumerateDirectories())
            {
                if (_runtimes.ContainsKey(directory.Id) || (_gates.TryGetValue(directory.Id, out var gate) && gate.CurrentCount == 0))
                {
                    continue;
                }

                var state = VmStateStore.TryRead(directory);
                if (state is { Pid: 0 } && _time.GetUtcNow() - state.CreatedAt < QemuLauncher.StartupDeadline * 2)
                {
                    continue; // Being created by another process right now.
                }

                if (state is null && _time.GetUtcNow() - Directory.GetLastWriteTimeUtc(directory.Path) < QemuLauncher.StartupDeadline * 2)
                {
                    // Another process has made the directory (and written the user data) but not its state file yet;
                    // one left like that by a crash is cleaned once it is older than that.
                    continue;
                }

                if (state is not null && HostProcess.IsAlive(state.Pid, state.ProcessStartTime))
                {
                    var runtime = new VmRuntime(directory, state, QemuProcess.Adopted(state.Pid, state.ProcessStartTime), _logger)
                    {
                        GuestReady = ConsoleSaysReady(directory),
                    };
                    await runtime.ConnectChannelsAsync(_handlers, cancellationToken);
                    _ports.MarkInUse(state.HostForwardPort);
                    _runtimes[state.Id] = runtime;
                    Watch(runtime);
                    LocalKvmLog.Adopted(_logger, state.Id, state.Pid);
                }
                else
                {
                    var kept = CleanDirectory(directory, state);
                    LocalKvmLog.CleanedDead(_logger, directory.Id, kept ?? "none");
                }
            }
        }
        finally
        {
            _scanGate.Release();
        }
    }

    /// <summary>Stops supervising (closes QMP and side channels). The VMs keep running and can be adopted later.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var runtime in _runtimes.Values)
        {
            runtime.Deleting = true;
            await runtime.DisposeAsync();
        }

        _runtimes.Clear();
        _scanGate.Dispose();
        _platformKey?.Dispose();
    }

    private async Task<ProviderInstance> StartAsync(string id, CreateInstanceRequest request, CancellationToken cancellationToken)
    {
        var imageDirectory = Path.GetFullPath(request.Image ?? _options.ImageDirectory);
        ImageManifest manifest;
        try
        {
            manifest = ImageManifest.Load(imageDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            throw new ProviderException(ProviderErrorReason.ImageNotFound, $"{request.InstanceName}: no pod VM image in {imageDirectory} ({e.Message}); run 'podvm image build'.", e);
        }

        // A vTPM needs ACPI, which the PVH fast path garbles with a TPM attached (QEMU 7.2): boot the bzImage on q35.
        var bootName = request.Tpm ? ImageManifest.BzImageBoot : ImageManifest.PvhBoot;
        if (!manifest.LaunchDigests.TryGetValue(bootName, out var boot))
        {
            throw new ProviderException(ProviderErrorReason.ImageNotFound, $"{request.InstanceName}: the pod VM image in {imageDirectory} has no '{bootName}' boot; rebuild it with 'podvm image build'.");
        }

        var (measurement, hostData) = _options.DevelopmentTee
            ? await MeasureAsync(imageDirectory, boot, request.InitDataDigest, cancellationToken)
            : (string.Empty, string.Empty);
        var directory = _store.DirectoryFor(id);
        if (Directory.Exists(directory.Path))
        {
            CleanDirectory(directory, VmStateStore.TryRead(directory));
        }

        Directory.CreateDirectory(directory.Path);
        await File.WriteAllBytesAsync(directory.UserDataFile, request.UserData.ToArray(), cancellationToken);
        File.SetUnixFileMode(directory.UserDataFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var started = Stopwatch.StartNew();
        VmRuntime? runtime = null;
        (int Pid, long StartTime) previousSwtpm = default;
        try
        {
            for (var attempt = 1; runtime is null; attempt++)
            {
                var port = _ports.Reserve();
                var state = new VmState
                {
                    Id = id,
                    Name = request.InstanceName,
                    IdempotencyKey = request.IdempotencyKey,
                    Tags = new SortedDictionary<string, string>(request.Tags.ToDictionary(), StringComparer.Ordinal),
                    InstanceTypeName = request.InstanceType.Name,
                    VCpus = request.InstanceType.VCpus,
                    MemoryMiB = request.InstanceType.MemoryMiB,
                    ImageDirectory = imageDirectory,
                    Kernel = Path.Combine(imageDirectory, boot.Kernel),
                    Initrd = Path.Combine(imageDirectory, boot.Initrd),
                    CommandLine = boot.CommandLine,
                    LaunchDigest = boot.Sha384,
                    Measurement = measurement,
                    HostData = hostData,
                    Accelerator = _accelerator.ToString().ToUpperInvariant(),
                    HostForwardPort = port,
                    CreatedAt = _time.GetUtcNow(),
                    Tpm = request.Tpm,
                };
                if (request.Tpm)
                {
                    // A retry after a port conflict reuses the swtpm unless the failed QEMU's disconnect ended it.
                    state = HostProcess.IsAlive(previousSwtpm.Pid, previousSwtpm.StartTime)
                        ? state with { SwtpmPid = previousSwtpm.Pid, SwtpmStartTime = previousSwtpm.StartTime }
                        : await StartSwtpmAsync(directory, state, cancellationToken);
                }

                previousSwtpm = (state.SwtpmPid, state.SwtpmStartTime);
                VmStateStore.Write(directory, state);
                LocalKvmLog.Starting(_logger, id, state.Accelerator, state.VCpus, state.MemoryMiB, port, directory.ConsoleLog);
                QemuProcess process;
                try
                {
                    process = await QemuLauncher.LaunchAsync(SpecFor(directory, state), directory.QemuLog, cancellationToken);
                }
                catch (QemuLaunchException e) when (e.IsPortConflict && attempt < 4)
                {
                    LocalKvmLog.PortConflict(_logger, id, port);
                    continue; // The port stays reserved: something else owns it.
                }
                catch (QemuLaunchException e)
                {
                    _ports.Release(port);
                    throw new ProviderException(ProviderErrorReason.InstanceFailed, $"VM {id} ({request.InstanceName}): {e.Message} (QEMU log {directory.QemuLog})", e);
                }

                state = state with { Pid = process.Pid, ProcessStartTime = process.StartTime };
                VmStateStore.Write(directory, state);
                runtime = new VmRuntime(directory, state, process, _logger);
            }

            await runtime.ConnectChannelsAsync(_handlers, cancellationToken);
            _runtimes[id] = runtime;
            Watch(runtime);
            if (_options.WaitForGuestReady)
            {
                await WaitForReadyAsync(runtime, started, cancellationToken);
            }

            return ToInstance(runtime);
        }
        catch (Exception e)
        {
            LocalKvmLog.CreateFailed(_logger, id, e.Message);
            if (runtime is not null)
            {
                await RemoveAsync(runtime, "create failed", CancellationToken.None);
            }
            else
            {
                CleanDirectory(directory, VmStateStore.TryRead(directory));
            }

            throw;
        }
    }

    /// <summary>Starts the VM's swtpm and records it in the state file before QEMU runs, so cleanup finds it.</summary>
    private async Task<VmState> StartSwtpmAsync(VmDirectory directory, VmState state, CancellationToken cancellationToken)
    {
        VmStateStore.Write(directory, state);
        try
        {
            var (pid, startTime) = await SwtpmLauncher.StartAsync(_options.SwtpmBinary, directory, cancellationToken);
            LocalKvmLog.SwtpmStarted(_logger, state.Id, pid, directory.TpmLog);
            return state with { SwtpmPid = pid, SwtpmStartTime = startTime };
        }
        catch (SwtpmException e)
        {
            _ports.Release(state.HostForwardPort);
            throw new ProviderException(ProviderErrorReason.InstanceFailed, $"VM {state.Id} ({state.Name}): the vTPM could not start: {e.Message} (swtpm log {directory.TpmLog})", e);
        }
    }

    /// <summary>
    /// The development TEE's launch measurement over the files QEMU is about to boot, computed here rather than taken
    /// from the manifest, and the host data (initdata digest, first 32 bytes) bound at launch.
    /// </summary>
    private static async Task<(string Measurement, string HostData)> MeasureAsync(string imageDirectory, LaunchDigest boot, ReadOnlyMemory<byte> initDataDigest, CancellationToken cancellationToken)
    {
        var measurement = await Task.Run(() => LaunchMeasurement.Compute(Path.Combine(imageDirectory, boot.Kernel), Path.Combine(imageDirectory, boot.Initrd), boot.CommandLine), cancellationToken);
        var hostData = initDataDigest.Length >= 32 ? Convert.ToHexStringLower(initDataDigest.Span[..32]) : string.Empty;
        return (Convert.ToHexStringLower(measurement), hostData);
    }

    private async Task WaitForReadyAsync(VmRuntime runtime, Stopwatch started, CancellationToken cancellationToken)
    {
        var id = runtime.State.Id;
        var ready = runtime.Side?.Ready ?? WaitForConsoleReadyAsync(runtime, cancellationToken);
        var timeout = Task.Delay(_options.BootTimeout, _time, cancellationToken);
        var first = await Task.WhenAny(ready, runtime.Process.Exited, timeout);
        if (first == ready && ready.IsCompletedSuccessfully)
        {
            runtime.GuestReady = true;
            LocalKvmLog.Ready(_logger, id, await ready, started.ElapsedMilliseconds);
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (first == timeout)
        {
            throw new ProviderException(ProviderErrorReason.Timeout, $"VM {id} did not report ready within {_options.BootTimeout.TotalSeconds} s. Console log {runtime.Directory.ConsoleLog}:\n{ConsoleTail(runtime.Directory)}");
        }

        throw new ProviderException(ProviderErrorReason.InstanceFailed, $"VM {id}: QEMU exited before the guest was ready. Console log {runtime.Directory.ConsoleLog}:\n{ConsoleTail(runtime.Directory)}");
    }

    private static async Task<string> WaitForConsoleReadyAsync(VmRuntime runtime, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!ConsoleSaysReady(runtime.Directory))
        {
            if (runtime.Process.HasExited || !await timer.WaitForNextTickAsync(cancellationToken))
            {
                throw new IOException("QEMU exited.");
            }
        }

        return "";
    }

    private void Watch(VmRuntime runtime) =>
        _ = runtime.Process.Exited.ContinueWith(
            _ =>
            {
                if (!runtime.Deleting)
                {
                    LocalKvmLog.Exited(_logger, runtime.State.Id, runtime.Process.Pid, runtime.Directory.ConsoleLog);
                    InstanceExited?.Invoke(this, new InstanceExitedEventArgs(runtime.State.Id, runtime.Process.Pid, runtime.Directory.ConsoleLog, runtime.LastQmpEvent));
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>Power button, then quit, then SIGKILL, each with a deadline; then the directory goes.</summary>
    private async Task RemoveAsync(VmRuntime runtime, string why, CancellationToken cancellationToken)
    {
        runtime.Deleting = true;
        var how = "already exited";
        if (!runtime.Process.HasExited)
        {
            how = "killed";
            if (runtime.Qmp is { } qmp && !qmp.Closed.IsCompleted)
            {
                try
                {
                    await qmp.SystemPowerdownAsync(cancellationToken).WaitAsync(QuitDeadline, cancellationToken);
                    if (await Exits(runtime, _options.PowerdownTimeout, cancellationToken))
                    {
                        how = "guest powered off";
                    }
                    else
                    {
                        await qmp.QuitAsync(cancellationToken).WaitAsync(QuitDeadline, cancellationToken);
                        how = await Exits(runtime, QuitDeadline, cancellationToken) ? "QMP quit" : how;
                    }
                }
                catch (Exception e) when (e is Qmp.QmpException or TimeoutException or IOException)
                {
                    // Fall through to SIGKILL.
                }
            }

            if (!runtime.Process.HasExited)
            {
                runtime.Process.Kill();
                await Exits(runtime, QuitDeadline, cancellationToken);
            }
        }

        _runtimes.TryRemove(runtime.State.Id, out _);
        await runtime.DisposeAsync();
        CleanDirectory(runtime.Directory, runtime.State);
        LocalKvmLog.Deleted(_logger, runtime.State.Id, $"{why}: {how}");
    }

    private static async Task<bool> Exits(VmRuntime runtime, TimeSpan deadline, CancellationToken cancellationToken)
    {
        await Task.WhenAny(runtime.Process.Exited, Task.Delay(deadline, cancellationToken));
        return runtime.Process.HasExited;
    }

    /// <summary>Removes a VM directory (killing a QEMU that still matches its state); keeps the console log. Returns where.</summary>
    private string? CleanDirectory(VmDirectory directory, VmState? state)
    {
        if (state is not null)
        {
            HostProcess.Kill(state.Pid, state.ProcessStartTime);
            HostProcess.Kill(state.SwtpmPid, state.SwtpmStartTime);
            _ports.Release(state.HostForwardPort);
        }

        if (File.Exists(directory.TpmLog))
        {
            Directory.CreateDirectory(_options.LogDirectory);
            File.Move(directory.TpmLog, Path.Combine(_options.LogDirectory, $"{directory.Id}-{_time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture)}.swtpm.log"), overwrite: true);
        }

        string? kept = null;
        if (File.Exists(directory.ConsoleLog))
        {
            Directory.CreateDirectory(_options.LogDirectory);
            kept = Path.Combine(_options.LogDirectory, $"{directory.Id}-{_time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture)}.console.log");
            File.Move(directory.ConsoleLog, kept, overwrite: true);
        }

        if (Directory.Exists(directory.Path))
        {
            Directory.Delete(directory.Path, recursive: true);
        }

        return kept;
    }

    /// <summary>
    /// How often <see cref="PruneLogs"/> looks at the log directory. Every provider call scans, and the directory holds
    /// a log per VM the retention has not expired yet (hundreds on a busy host, each a stat): once a minute keeps a
    /// kept log's life within a minute of its retention at a fraction of the cost.
    /// </summary>
    internal static readonly TimeSpan LogPruneInterval = TimeSpan.FromMinutes(1);

    private DateTimeOffset _lastLogPrune = DateTimeOffset.MinValue;

    /// <summary>Deletes kept console and swtpm logs older than the retention; at most once per <see cref="LogPruneInterval"/> (the scan gate is held).</summary>
    private void PruneLogs()
    {
        var now = _time.GetUtcNow();
        if (now - _lastLogPrune < LogPruneInterval || !Directory.Exists(_options.LogDirectory))
        {
            return;
        }

        _lastLogPrune = now;
        var cutoff = now - _options.LogRetention;
        foreach (var log in Directory.GetFiles(_options.LogDirectory, "*.console.log").Concat(Directory.GetFiles(_options.LogDirectory, "*.swtpm.log")))
        {
            if (File.GetLastWriteTimeUtc(log) < cutoff.UtcDateTime)
            {
                File.Delete(log);
            }
        }
    }

    private QemuLaunchSpec SpecFor(VmDirectory directory, VmState state) => new()
    {
        QemuBinary = _options.QemuBinary,
        Accelerator = _accelerator,
        VCpus = state.VCpus,
        MemoryMiB = state.MemoryMiB,
        Kernel = state.Kernel,
        Initrd = state.Initrd,
        CommandLine = state.CommandLine,
        ConsoleLog = directory.ConsoleLog,
        QmpSocket = directory.QmpSocket,
        SideChannelSocket = directory.SideChannelSocket,
        PidFile = directory.PidFile,
        HostForwardPort = state.HostForwardPort,
        UserDataFile = directory.UserDataFile,
        TpmSocket = state.Tpm ? directory.TpmSocket : null,
    };

    private static ProviderInstance ToInstance(VmRuntime runtime) => new()
    {
        Id = runtime.State.Id,
        Name = runtime.State.Name,
        State = runtime.Process.HasExited ? InstanceState.Terminated
            : runtime.LastQmpEvent == "STOP" ? InstanceState.Stopped
            : runtime.GuestReady ? InstanceState.Running
            : InstanceState.Pending,
        Addresses = [new InstanceAddress("127.0.0.1", runtime.State.HostForwardPort, AddressKind.HostForward)],
        Tags = runtime.State.Tags,
        InstanceTypeName = runtime.State.InstanceTypeName,
        CreatedAt = runtime.State.CreatedAt,
    };

    private static bool ConsoleSaysReady(VmDirectory directory)
    {
        try
        {
            return File.Exists(directory.ConsoleLog) && File.ReadAllText(directory.ConsoleLog).Contains("PODVM_READY", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string ConsoleTail(VmDirectory directory)
    {
        try
        {
            var lines = File.ReadAllLines(directory.ConsoleLog);
            return string.Join('\n', lines.TakeLast(15));
        }
        catch (IOException)
        {
            return "(no console output)";
        }
    }
}
