using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PodVm.GuestAgent.Confidential;

namespace PodVm.GuestAgent.Tests.Confidential;

public sealed class ConfidentialDataHubGateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("podvm-cdh-gate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task WaitAsync_NoKbsInInitdata_CompletesWithoutConnecting()
    {
        // Nothing listens on the endpoint, and no configuration file exists: the gate must not wait at all.
        var gate = new ConfidentialDataHubGate(Options(FreePort(), configExists: false, TimeSpan.FromSeconds(30)), NullLogger.Instance, TimeProvider.System);

        var wait = gate.WaitAsync(CancellationToken.None);

        Assert.True(wait.IsCompletedSuccessfully);
        await wait;
    }

    [Fact]
    public async Task WaitAsync_EndpointDisabled_CompletesAtOnce()
    {
        var options = Options(FreePort(), configExists: true, TimeSpan.FromSeconds(30)) with { CdhEndpoint = null };
        var gate = new ConfidentialDataHubGate(options, NullLogger.Instance, TimeProvider.System);

        var wait = gate.WaitAsync(CancellationToken.None);

        await wait.DefaultTimeout();
        Assert.True(wait.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaitAsync_KbsConfiguredAndHubStartsLate_CompletesOnlyOnceItListens()
    {
        var port = FreePort();
        var logger = new RecordingLogger();
        var gate = new ConfidentialDataHubGate(Options(port, configExists: true, TimeSpan.FromSeconds(30)), logger, TimeProvider.System);

        var wait = gate.WaitAsync(CancellationToken.None);
        var early = await Task.WhenAny(wait, Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken));
        Assert.NotSame(wait, early);

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        await wait.DefaultTimeout();

        Assert.Contains(logger.Messages, m => m.Contains("is up after", StringComparison.Ordinal));
        Assert.True(gate.WaitAsync(CancellationToken.None).IsCompletedSuccessfully, "a second container start passes straight through");
    }

    [Fact]
    public async Task WaitAsync_HubNeverComes_StartsAnywayAfterTheTimeoutWithAWarning()
    {
        var logger = new RecordingLogger();
        var gate = new ConfidentialDataHubGate(Options(FreePort(), configExists: true, TimeSpan.FromMilliseconds(400)), logger, TimeProvider.System);
        var clock = Stopwatch.StartNew();

        await gate.WaitAsync(CancellationToken.None).DefaultTimeout();

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(350), $"waited only {clock.Elapsed}");
        var warning = Assert.Single(logger.Messages, m => m.Contains("did not come up", StringComparison.Ordinal));
        Assert.Contains("cdh.toml", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitAsync_CallerCancelled_ThrowsButLaterCallersStillWait()
    {
        var port = FreePort();
        var gate = new ConfidentialDataHubGate(Options(port, configExists: true, TimeSpan.FromSeconds(30)), NullLogger.Instance, TimeProvider.System);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.WaitAsync(cancel.Token).DefaultTimeout());

        var second = gate.WaitAsync(CancellationToken.None);
        Assert.False(second.IsCompleted);
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        await second.DefaultTimeout();
    }

    private AgentOptions Options(int port, bool configExists, TimeSpan timeout)
    {
        var config = Path.Combine(_dir, "cdh.toml");
        if (configExists)
        {
            File.WriteAllText(config, "[kbc]\nname = \"cc_kbc\"\nurl = \"https://127.0.0.1:8080\"\n");
        }

        return new AgentOptions
        {
            CdhEndpoint = $"127.0.0.1:{port}",
            CdhConfigFiles = [config, Path.Combine(_dir, "aa.toml")],
            CdhWaitTimeout = timeout,
        };
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private sealed class RecordingLogger : ILogger
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_messages)
            {
                _messages.Add(formatter(state, exception));
            }
        }
    }
}
