using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using PodVm.CloudApiAdaptor.Observability;
using PodVm.CloudApiAdaptor.Proxy;
using PodVm.CloudApiAdaptor.Tls;
using PodVm.LocalKvmProvider;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Ttrpc;
using Process = System.Diagnostics.Process;

namespace PodVm.Cli.Commands;

/// <summary>
/// <c>podvm bench proxy</c>: what the adaptor's agent proxy adds, on the host, with no VM. An agent stand-in (a ttrpc
/// server answering grpc.Health/Check and grpc.AgentService/ReadStdout with a fixed chunk) listens on a unix socket;
/// the real forwarder binary (the NativeAOT build that runs in the pod VM) relays mTLS on loopback to it. Four paths
/// are measured in the same run, interleaved round by round: the agent socket directly (floor), a direct mTLS
/// connection to the forwarder (what the proxy itself uses), the adaptor's <see cref="AgentProxy"/> (unix socket in,
/// mTLS out), socat relaying the same unix-socket-to-mTLS path, and the same proxy again in a process of its own
/// (<c>podvm bench proxy host</c>), so that it and socat get the same scheduling.
/// </summary>
internal static class BenchProxyCommand
{
    private const string InstanceName = "podvm-bench-proxy";

    public static Command Create()
    {
        var rounds = new Option<int>("--rounds") { Description = "Rounds; every path is measured once per round.", DefaultValueFactory = _ => 3 };
        var calls = new Option<int>("--calls") { Description = "Sequential unary calls (grpc.Health/Check) per path per round.", DefaultValueFactory = _ => 2000 };
        var seconds = new Option<double>("--seconds") { Description = "Seconds of ReadStdout per path per round.", DefaultValueFactory = _ => 3 };
        var chunk = new Option<int>("--chunk") { Description = "Bytes per ReadStdout reply (the shim asks for up to 64 KiB).", DefaultValueFactory = _ => 64 * 1024 };
        var forwarder = new Option<string?>("--forwarder") { Description = "The podvm-forwarder binary (default: the newest published one in $PODVM_HOME/cache/publish)." };
        var proxy = new Command("proxy", "Per-call latency and stdout throughput: agent socket direct, mTLS to the forwarder, the adaptor's agent proxy, socat; no VM.")
        {
            rounds, calls, seconds, chunk, forwarder,
        };
        proxy.Subcommands.Add(BenchProxyHostCommand.Create());
        proxy.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var forwarderPath = parseResult.GetValue(forwarder) ?? FindForwarder();
            if (forwarderPath is null || !File.Exists(forwarderPath))
            {
                await error.WriteLineAsync("podvm bench proxy: no podvm-forwarder binary; run 'podvm image build' (it publishes one) or pass --forwarder.");
                return 2;
            }

            if (Requires("socat") is null)
            {
                await error.WriteLineAsync("podvm bench proxy: socat is not installed (Debian package socat).");
                return 2;
            }

            var settings = new Settings(Math.Max(1, parseResult.GetValue(rounds)), Math.Max(100, parseResult.GetValue(calls)), TimeSpan.FromSeconds(Math.Max(0.5, parseResult.GetValue(seconds))), Math.Clamp(parseResult.GetValue(chunk), 1, 1 << 20));
            return await RunAsync(settings, forwarderPath, output, error, cancellationToken);
        });
        return proxy;
    }

    private static async Task<int> RunAsync(Settings settings, string forwarderPath, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("pvbp-").FullName;
        var processes = new List<Process>();
        try
        {
            // The agent stand-in.
            var chunkPayload = new ReadStreamResponse { Data = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(settings.Chunk)) }.ToByteArray();
            var checkPayload = new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving }.ToByteArray();
            var agentSocket = Path.Combine(work, "agent.sock");
            await using var agent = new TtrpcServer(new TtrpcServerOptions())
            {
                Fallback = (request, _) => ValueTask.FromResult(request.Method switch
                {
                    "ReadStdout" => TtrpcRawResponse.Success(chunkPayload),
                    "Check" => TtrpcRawResponse.Success(checkPayload),
                    _ => TtrpcRawResponse.Error(Grpc.Core.StatusCode.Unimplemented, "method " + request.Method),
                }),
            };
            await agent.StartAsync(TtrpcEndpoint.Unix(agentSocket), cancellationToken);

            // TLS material as the adaptor makes it for a pod VM; files for the forwarder and for socat.
            using var ca = ForwarderCertificateAuthority.LoadOrCreate(Path.Combine(work, "tls"), TimeProvider.System);
            var (serverCert, serverKey) = ca.IssueServerCertificate(InstanceName);
            var files = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["server.crt"] = serverCert,
                ["server.key"] = serverKey,
                ["ca.crt"] = ca.CaCertificatePem,
                ["client.crt"] = ca.ClientCertificate.ExportCertificatePem(),
                ["client.key"] = ca.ClientCertificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(),
            };
            foreach (var (name, pem) in files)
            {
                await File.WriteAllTextAsync(Path.Combine(work, name), pem, cancellationToken);
            }

            var port = FreePort();
            processes.Add(Start(forwarderPath, "-listen", $"127.0.0.1:{port}", "-kata-agent-socket", agentSocket, "-config", Path.Combine(work, "none.json"),
                "-cert-file", Path.Combine(work, "server.crt"), "-cert-key", Path.Combine(work, "server.key"), "-ca-cert-file", Path.Combine(work, "ca.crt")));
            await WaitForTcpAsync(port, processes[^1], cancellationToken);

            // The adaptor's agent proxy, exactly as PodManager builds it for a pod.
            var proxySocket = Path.Combine(work, "proxy.sock");
            using var metrics = new AdaptorMetrics();
            await using var proxy = new AgentProxy("bench", proxySocket, new ForwarderConnector("127.0.0.1", port, InstanceName, ca, TimeProvider.System), metrics, NullLoggerFactory.Instance, TimeProvider.System);
            await proxy.StartAsync(cancellationToken);

            // socat relaying the same path: unix socket in, mTLS (the adaptor's client certificate) out.
            var socatSocket = Path.Combine(work, "socat.sock");
            processes.Add(Start("socat", $"UNIX-LISTEN:{socatSocket},fork",
                $"OPENSSL:127.0.0.1:{port},cert={Path.Combine(work, "client.crt")},key={Path.Combine(work, "client.key")},cafile={Path.Combine(work, "ca.crt")},commonname={InstanceName},nodelay"));
            await WaitForUnixAsync(socatSocket, processes[^1], cancellationToken);

            // The same proxy in a process of its own (podvm bench proxy host), scheduled as socat is.
            var hostSocket = Path.Combine(work, "proxy-host.sock");
            var host = await StartProxyHostAsync(hostSocket, port, Path.Combine(work, "tls"), cancellationToken);
            processes.Add(host);

            var forwarderClient = new ForwarderConnector("127.0.0.1", port, InstanceName, ca, TimeProvider.System);
            await using var forwarderLease = forwarderClient;
            var paths = new List<BenchPath>
            {
                new("agent socket, direct (floor)", ct => ConnectUnixAsync(agentSocket, ct)),
                new("mTLS to the forwarder, direct", async ct => await forwarderClient.GetClientAsync(ct)) { OwnsConnection = false },
                new("adaptor AgentProxy (unix -> mTLS)", ct => ConnectUnixAsync(proxySocket, ct)),
                new("socat (unix -> OpenSSL mTLS)", ct => ConnectUnixAsync(socatSocket, ct)),
                new("adaptor AgentProxy, own process", ct => ConnectUnixAsync(hostSocket, ct)),
            };

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"podvm bench proxy: {settings.Rounds} rounds; per path and round {settings.Calls} sequential grpc.Health/Check calls and {settings.Duration.TotalSeconds:0.#} s of sequential ReadStdout ({settings.Chunk} B replies); {Environment.ProcessorCount} CPUs, load {LoadAverage()}; forwarder {forwarderPath}"));
            for (var round = 1; round <= settings.Rounds; round++)
            {
                foreach (var path in paths)
                {
                    await MeasureAsync(path, settings, cancellationToken);
                }

                await output.WriteLineAsync($"  round {round} done (load {LoadAverage()})");
            }

            await output.WriteLineAsync();
            await output.WriteLineAsync("| path | Check median | Check p99 | added vs mTLS direct (median) | ReadStdout MB/s (median of rounds) | MB/s per round |");
            await output.WriteLineAsync("|---|---|---|---|---|---|");
            var baseline = Percentile(paths[1].Latencies, 0.5);
            foreach (var path in paths)
            {
                var median = Percentile(path.Latencies, 0.5);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"| {path.Name} | {median:F0} µs | {Percentile(path.Latencies, 0.99):F0} µs | {(median - baseline):+0;-0;0} µs | {Median(path.Throughput):F0} | {string.Join(", ", path.Throughput.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} |"));
            }

            var socat = paths[3];
            await output.WriteLineAsync();
            foreach (var (label, ours) in new[] { ("proxy (in the bench process)", paths[2]), ("proxy (own process)", paths[4]) })
            {
                var ratios = ours.Throughput.Zip(socat.Throughput, (a, b) => a / b).ToList();
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{label}: added latency per unary call {Percentile(ours.Latencies, 0.5) - baseline:F0} µs median, p99 {Percentile(ours.Latencies, 0.99):F0} µs (goal < 100 µs; socat adds {Percentile(socat.Latencies, 0.5) - baseline:F0} µs, p99 {Percentile(socat.Latencies, 0.99):F0} µs); stdout {Median(ours.Throughput):F0} MB/s vs socat {Median(socat.Throughput):F0} MB/s, per-round ratio median {Median(ratios):F2}x, min {ratios.Min():F2}x (goal >= socat)"));
            }
            return 0;
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                await process.WaitForExitAsync(CancellationToken.None);
                process.Dispose();
            }

            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task MeasureAsync(BenchPath path, Settings settings, CancellationToken cancellationToken)
    {
        var client = await path.ConnectAsync(cancellationToken);
        try
        {
            var check = new TtrpcCallOptions { Timeout = TimeSpan.FromSeconds(30) };
            for (var i = 0; i < settings.Calls / 10; i++)
            {
                await Call(client, "grpc.Health", "Check", ReadOnlyMemory<byte>.Empty, check, cancellationToken);
            }

            var stopwatch = new Stopwatch();
            for (var i = 0; i < settings.Calls; i++)
            {
                stopwatch.Restart();
                await Call(client, "grpc.Health", "Check", ReadOnlyMemory<byte>.Empty, check, cancellationToken);
                path.Latencies.Add(stopwatch.Elapsed.TotalMicroseconds);
            }

            var read = new ReadStreamRequest { ContainerId = "bench", ExecId = "bench", Len = (uint)settings.Chunk }.ToByteArray();
            long bytes = 0;
            stopwatch.Restart();
            while (stopwatch.Elapsed < settings.Duration)
            {
                var response = await Call(client, "grpc.AgentService", "ReadStdout", read, check, cancellationToken);
                bytes += response.Payload.Length;
            }

            path.Throughput.Add(bytes / stopwatch.Elapsed.TotalSeconds / 1e6);
        }
        finally
        {
            // The direct mTLS connection belongs to its ForwarderConnector, as the proxy's does.
            if (path.OwnsConnection)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task<TtrpcRawResponse> Call(TtrpcClient client, string service, string method, ReadOnlyMemory<byte> payload, TtrpcCallOptions options, CancellationToken cancellationToken)
    {
        var response = await client.CallRawAsync(service, method, payload, options, cancellationToken);
        return response.IsSuccess ? response : throw response.ToException();
    }

    private static Task<TtrpcClient> ConnectUnixAsync(string socket, CancellationToken cancellationToken) =>
        TtrpcClient.ConnectAsync(TtrpcEndpoint.Unix(socket), null, cancellationToken);

    private static Process Start(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<Process> StartProxyHostAsync(string socket, int port, string tlsDirectory, CancellationToken cancellationToken)
    {
        // This very CLI: the apphost, or dotnet running podvm.dll.
        var self = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(BenchProxyCommand).Assembly.Location);
        }

        foreach (var arg in new[] { "bench", "proxy", "host", "--socket", socket, "--port", port.ToString(CultureInfo.InvariantCulture), "--tls-dir", tlsDirectory, "--instance", InstanceName })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the proxy host");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        var line = await process.StandardOutput.ReadLineAsync(deadline.Token);
        if (!string.Equals(line, "ready", StringComparison.Ordinal))
        {
            process.Kill();
            throw new InvalidOperationException($"the proxy host did not start (said '{line}', exited {process.HasExited})");
        }

        return process;
    }

    private static async Task WaitForTcpAsync(int port, Process owner, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port, deadline.Token);
                return;
            }
            catch (SocketException) when (!owner.HasExited)
            {
                await Task.Delay(20, deadline.Token);
            }
        }
    }

    private static async Task WaitForUnixAsync(string path, Process owner, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (!File.Exists(path))
        {
            if (owner.HasExited)
            {
                throw new InvalidOperationException($"{owner.StartInfo.FileName} exited with {owner.ExitCode}");
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindForwarder()
    {
        var publish = Path.Combine(PodVmPaths.Cache, "publish");
        return Directory.Exists(publish)
            ? Directory.GetDirectories(publish, "PodVm.*-*")
                .Where(d => File.Exists(Path.Combine(d, ".complete")) && File.Exists(Path.Combine(d, "podvm-forwarder")))
                .OrderByDescending(Directory.GetLastWriteTimeUtc)
                .Select(d => Path.Combine(d, "podvm-forwarder"))
                .FirstOrDefault()
            : null;
    }

    private static string? Requires(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private sealed record Settings(int Rounds, int Calls, TimeSpan Duration, int Chunk);

    private sealed record BenchPath(string Name, Func<CancellationToken, Task<TtrpcClient>> ConnectAsync)
    {
        public bool OwnsConnection { get; init; } = true;

        public List<double> Latencies { get; } = [];

        public List<double> Throughput { get; } = [];
    }
}
