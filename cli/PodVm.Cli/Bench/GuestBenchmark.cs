using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using PodVm.Cli.Run;
using PodVm.Protocols.Agent;

namespace PodVm.Cli.Bench;

/// <summary>
/// The measurements of <c>podvm bench guest</c> in one booted pod VM, through the forwarder's mTLS and the guest
/// agent, each beside a baseline taken in the same VM and run: create-to-first-output of a busybox container vs
/// exec-to-first-output in a running one (no image unpack, no bundle), and container stdout through agent +
/// forwarder + TLS vs the same bytes through a pipe inside the guest.
/// </summary>
internal sealed class GuestBenchmark(AgentService.AgentServiceClient agent, TextWriter output)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(120);

    public async Task<GuestBenchmarkResult> RunAsync(int runs, long bytes, CancellationToken cancellationToken)
    {
        var create = new List<double>();
        var exec = new List<double>();
        await StartAsync("bench-base", ["sleep", "100000"], cancellationToken);
        for (var i = 0; i < runs; i++)
        {
            var id = $"bench-c{i}";
            var watch = Stopwatch.StartNew();
            await StartAsync(id, ["/bin/sh", "-c", "echo ready"], cancellationToken);
            var first = await agent.ReadStdoutAsync(new ReadStreamRequest { ContainerId = id, Len = 4096 }, deadline: Deadline(), cancellationToken: cancellationToken);
            create.Add(watch.Elapsed.TotalMilliseconds);
            Expect("ready\n", first.Data.ToStringUtf8(), id);
            await WaitAsync(id, string.Empty, cancellationToken);
            await agent.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id, Timeout = 30 }, deadline: Deadline(), cancellationToken: cancellationToken);

            var execId = $"bench-e{i}";
            watch.Restart();
            await agent.ExecProcessAsync(new ExecProcessRequest { ContainerId = "bench-base", ExecId = execId, Process = BusyboxContainer.Exec("/bin/sh", "-c", "echo ready") }, deadline: Deadline(), cancellationToken: cancellationToken);
            var firstExec = await agent.ReadStdoutAsync(new ReadStreamRequest { ContainerId = "bench-base", ExecId = execId, Len = 4096 }, deadline: Deadline(), cancellationToken: cancellationToken);
            exec.Add(watch.Elapsed.TotalMilliseconds);
            Expect("ready\n", firstExec.Data.ToStringUtf8(), execId);
            await WaitAsync("bench-base", execId, cancellationToken);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {i + 1}: create-to-first-output {create[^1]:F0} ms; exec-to-first-output {exec[^1]:F0} ms"));
        }

        // Through agent and forwarder: the container writes the bytes to stdout, this host reads them all.
        var flood = Stopwatch.StartNew();
        await StartAsync("bench-flood", ["/bin/sh", "-c", string.Create(CultureInfo.InvariantCulture, $"head -c {bytes} /dev/zero")], cancellationToken);
        var received = 0L;
        await DrainAsync("bench-flood", string.Empty, chunk => received += chunk.Length, cancellationToken);
        var seconds = flood.Elapsed.TotalSeconds;
        if (received != bytes)
        {
            throw new InvalidOperationException($"stdout carried {received} bytes, the container wrote {bytes}");
        }

        await WaitAsync("bench-flood", string.Empty, cancellationToken);
        await agent.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = "bench-flood", Timeout = 30 }, deadline: Deadline(), cancellationToken: cancellationToken);

        // Baseline: the same bytes through a pipe inside the guest, timed by the guest (centiseconds of /proc/uptime).
        var script = string.Create(CultureInfo.InvariantCulture, $"a=$(cut -d' ' -f1 /proc/uptime); head -c {bytes} /dev/zero | cat > /dev/null; b=$(cut -d' ' -f1 /proc/uptime); echo $a $b");
        await agent.ExecProcessAsync(new ExecProcessRequest { ContainerId = "bench-base", ExecId = "bench-pipe", Process = BusyboxContainer.Exec("/bin/sh", "-c", script) }, deadline: Deadline(), cancellationToken: cancellationToken);
        var text = new StringBuilder();
        await DrainAsync("bench-base", "bench-pipe", chunk => text.Append(Encoding.UTF8.GetString(chunk.Span)), cancellationToken);
        var times = text.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var pipeSeconds = Math.Max(double.Parse(times[1], CultureInfo.InvariantCulture) - double.Parse(times[0], CultureInfo.InvariantCulture), 0.01);
        await agent.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = "bench-base", Timeout = 30 }, deadline: Deadline(), cancellationToken: cancellationToken);

        const double MiB = 1024.0 * 1024.0;
        return new GuestBenchmarkResult(create, exec, bytes / MiB / seconds, bytes / MiB / pipeSeconds, pipeSeconds);
    }

    private static DateTime Deadline() => DateTime.UtcNow.Add(Long);

    private static void Expect(string expected, string actual, string what)
    {
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{what} printed '{actual}', expected '{expected}'");
        }
    }

    private async Task StartAsync(string id, string[] args, CancellationToken cancellationToken)
    {
        await agent.CreateContainerAsync(BusyboxContainer.Create(id, "busybox", args, [], "bench"), deadline: Deadline(), cancellationToken: cancellationToken);
        await agent.StartContainerAsync(new StartContainerRequest { ContainerId = id }, deadline: Deadline(), cancellationToken: cancellationToken);
    }

    private async Task WaitAsync(string id, string execId, CancellationToken cancellationToken) =>
        await agent.WaitProcessAsync(new WaitProcessRequest { ContainerId = id, ExecId = execId }, deadline: Deadline(), cancellationToken: cancellationToken);

    /// <summary>Hands every chunk of a stream to <paramref name="sink"/> until the agent ends it (with an error, as Kata's does).</summary>
    private async Task DrainAsync(string id, string execId, Action<ReadOnlyMemory<byte>> sink, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadStreamResponse reply;
            try
            {
                reply = await agent.ReadStdoutAsync(new ReadStreamRequest { ContainerId = id, ExecId = execId, Len = 1024 * 1024 }, deadline: Deadline(), cancellationToken: cancellationToken);
            }
            catch (RpcException e) when (e.Status.Detail.Contains("eof", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            sink(reply.Data.Memory);
        }
    }
}
