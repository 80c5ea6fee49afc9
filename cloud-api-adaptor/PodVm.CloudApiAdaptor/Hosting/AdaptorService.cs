using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Configuration;
using PodVm.CloudApiAdaptor.Hypervisor;
using PodVm.CloudApiAdaptor.Lifecycle;
using PodVm.Protocols.PodVmInfo;
using PodVm.Protocols.Ttrpc;

namespace PodVm.CloudApiAdaptor.Hosting;

/// <summary>
/// Starts the adaptor in order: recover persisted pods (re-attaching running VMs), then listen on the hypervisor
/// socket, then reconcile in the background. Stopping lets calls in flight finish and leaves VMs running.
/// </summary>
internal sealed class AdaptorService(
    IOptions<AdaptorOptions> options,
    PodManager pods,
    Reconciler reconciler,
    AdaptorReadiness readiness,
    ILoggerFactory loggerFactory,
    TimeProvider time) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private TtrpcServer? _server;
    private Task? _reconciling;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        Directory.CreateDirectory(settings.PodsDirectory);
        await pods.InitializeAsync(cancellationToken).ConfigureAwait(false);

        _server = new TtrpcServer(new TtrpcServerOptions { TimeProvider = time, UnixSocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }, loggerFactory);
        PodVm.Protocols.Hypervisor.Hypervisor.BindService(_server.Services, new HypervisorService(pods));
        PodVMInfo.BindService(_server.Services, new PodVmInfoService(pods));
        await _server.StartAsync(TtrpcEndpoint.Unix(settings.SocketPath), cancellationToken).ConfigureAwait(false);
        AdaptorLog.Listening(loggerFactory.CreateLogger<AdaptorService>(), settings.SocketPath, settings.Provider, settings.ClusterName, settings.NodeName);

        _reconciling = Task.Run(() => reconciler.RunAsync(_stopping.Token), CancellationToken.None);
        readiness.MarkReady();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        readiness.MarkNotReady();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_reconciling is not null)
        {
            await _reconciling.ConfigureAwait(false);
        }

        await pods.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
