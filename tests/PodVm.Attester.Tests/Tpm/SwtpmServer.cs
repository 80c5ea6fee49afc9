using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PodVm.Attester.Tpm;

namespace PodVm.Attester.Tests.Tpm;

/// <summary>
/// Debian's swtpm as a TPM 2.0 on a loopback TCP port (raw commands; control channel on port + 1, as tpm2-tools'
/// swtpm TCTI expects), started with --flags not-need-init,startup-clear in a private state directory, killed at
/// dispose. Skips the test when swtpm is not installed.
/// </summary>
internal sealed class SwtpmServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _state;

    private SwtpmServer(Process process, TempDirectory state, int port)
    {
        _process = process;
        _state = state;
        Port = port;
    }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public static async Task<SwtpmServer> StartAsync(CancellationToken cancellationToken)
    {
        Requires.Tool("swtpm", "swtpm");
        var state = new TempDirectory();
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePortPair();
            var info = new ProcessStartInfo("swtpm")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])["socket", "--tpm2",
                "--server", $"type=tcp,port={port},bindaddr=127.0.0.1",
                "--ctrl", $"type=tcp,port={port + 1},bindaddr=127.0.0.1",
                "--flags", "not-need-init,startup-clear",
                "--tpmstate", $"dir={state.Path}"])
            {
                info.ArgumentList.Add(arg);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException("swtpm did not start");
            if (await WaitListeningAsync(process, port, cancellationToken))
            {
                return new SwtpmServer(process, state, port);
            }

            process.Kill();
            await process.WaitForExitAsync(cancellationToken);
            process.Dispose();
            if (attempt >= 5)
            {
                state.Dispose();
                throw new InvalidOperationException("swtpm did not listen on a loopback port in 5 attempts");
            }
        }
    }

    public async Task<TpmSocketTransport> ConnectAsync(CancellationToken cancellationToken) =>
        await TpmSocketTransport.ConnectAsync(EndPoint, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        _state.Dispose();
    }

    private static async Task<bool> WaitListeningAsync(Process process, int port, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port + 1), cancellationToken);
                return true;
            }
            catch (SocketException)
            {
                // Not listening yet: poll again below.
            }

            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            await tick.WaitForNextTickAsync(cancellationToken);
        }

        return false;
    }

    /// <summary>A port whose successor is free too (at the moment of asking; the caller retries a lost race).</summary>
    private static int FreePortPair()
    {
        while (true)
        {
            using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)first.LocalEndPoint!).Port;
            if (port >= 65535)
            {
                continue;
            }

            using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                second.Bind(new IPEndPoint(IPAddress.Loopback, port + 1));
                return port;
            }
            catch (SocketException)
            {
                // Successor taken: try another pair.
            }
        }
    }
}
