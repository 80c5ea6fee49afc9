using Microsoft.Extensions.Logging;
using PodVm.LocalKvmProvider.Qemu;
using PodVm.LocalKvmProvider.Qmp;
using PodVm.LocalKvmProvider.SideChannel;
using PodVm.LocalKvmProvider.Vms;

namespace PodVm.LocalKvmProvider.Provider;

/// <summary>
/// One supervised VM: its QEMU process, its QMP and side-channel connections, and what has been seen of it.
/// Either channel may be unavailable (another process holds it); the process is then supervised by pid.
/// </summary>
internal sealed class VmRuntime : IAsyncDisposable
{
    private static readonly TimeSpan ChannelDeadline = TimeSpan.FromSeconds(3);
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _eventPump = Task.CompletedTask;

    public VmRuntime(VmDirectory directory, VmState state, QemuProcess process, ILogger logger)
    {
        Directory = directory;
        State = state;
        Process = process;
        _logger = logger;
    }

    public VmDirectory Directory { get; }
    public VmState State { get; }
    public QemuProcess Process { get; }
    public QmpClient? Qmp { get; private set; }
    public SideChannelConnection? Side { get; private set; }
    public bool GuestReady { get; set; }
    public string? LastQmpEvent { get; private set; }
    public bool Deleting { get; set; }

    public async Task ConnectChannelsAsync(IEnumerable<ISideChannelHandler> handlers, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ChannelDeadline);
        try
        {
            Qmp = await QmpClient.ConnectAsync(Directory.QmpSocket, deadline.Token);
            _eventPump = PumpEventsAsync(Qmp, _stop.Token);
        }
        catch (Exception e) when (e is QmpException or IOException or System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LocalKvmLog.ChannelUnavailable(_logger, State.Id, "QMP", e.Message);
        }

        try
        {
            Side = await SideChannelConnection.ConnectAsync(State.Id, Directory.SideChannelSocket, handlers, deadline.Token);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LocalKvmLog.ChannelUnavailable(_logger, State.Id, "side channel", e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (Qmp is { } qmp)
        {
            await qmp.DisposeAsync();
        }

        if (Side is { } side)
        {
            await side.DisposeAsync();
        }

        await _eventPump;
        Process.Dispose();
        _stop.Dispose();
    }

    private async Task PumpEventsAsync(QmpClient qmp, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in qmp.Events.ReadAllAsync(cancellationToken))
            {
                LastQmpEvent = message.EventName;
                LocalKvmLog.QmpEvent(_logger, State.Id, message.EventName ?? "?");
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped supervising.
        }
    }
}
