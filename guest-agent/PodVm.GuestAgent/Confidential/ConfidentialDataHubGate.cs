using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace PodVm.GuestAgent.Confidential;

/// <summary>
/// Holds container starts back until the confidential data hub (the attester's secret endpoint) accepts connections,
/// when initdata configures a key broker. The attester starts at the lowest CPU priority during boot so that the
/// agent and the forwarder are ready sooner; without this gate a container's first request for a secret could reach
/// <c>127.0.0.1:8006</c> before anything listens there (containers ask once; <c>wget</c> does not retry).
/// Upstream's kata-agent waits for its CDH socket at start-up instead, which would delay the whole VM's readiness.
/// The wait happens once per agent (later starts pass straight through) and is bounded: if the hub does not come up,
/// containers start anyway and a warning says why their secret requests will fail.
/// </summary>
internal sealed class ConfidentialDataHubGate
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    private readonly AgentOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private Task? _wait;

    public ConfidentialDataHubGate(AgentOptions options, ILogger logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _time = time;
    }

    /// <summary>Completes when containers may start: at once without a KBS in initdata, else once the hub listens or the wait timed out.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        Task wait;
        lock (_lock)
        {
            // The wait itself is not tied to one caller's cancellation: a cancelled StartContainer must not leave the
            // next one without a gate.
            wait = _wait ??= WaitForHubAsync();
        }

        return wait.IsCompleted ? wait : wait.WaitAsync(cancellationToken);
    }

    private async Task WaitForHubAsync()
    {
        if (_options.CdhEndpoint is not { } endpointText || _options.CdhConfigFiles.FirstOrDefault(File.Exists) is not { } configFile)
        {
            return;
        }

        var endpoint = IPEndPoint.Parse(endpointText);
        var started = _time.GetTimestamp();
        while (true)
        {
            if (await AcceptsAsync(endpoint).ConfigureAwait(false))
            {
                AgentLog.CdhReady(_logger, endpointText, (long)_time.GetElapsedTime(started).TotalMilliseconds);
                return;
            }

            if (_time.GetElapsedTime(started) >= _options.CdhWaitTimeout)
            {
                AgentLog.CdhNotReady(_logger, endpointText, _options.CdhWaitTimeout, configFile);
                return;
            }

            await Task.Delay(RetryInterval, _time).ConfigureAwait(false);
        }
    }

    private async Task<bool> AcceptsAsync(IPEndPoint endpoint)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(ConnectTimeout, _time);
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
