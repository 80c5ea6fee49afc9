using System.Diagnostics;
using System.Globalization;
using PodVm.Protocols.Agent;
using static PodVm.GuestAgent.Integration.Tests.PodRequests;

namespace PodVm.GuestAgent.Integration.Tests;

/// <summary>
/// Benchmark, not a test: runs only with PODVM_GUEST_BENCH=1 (see docs/benchmarks.md, section "guest"). In the booted
/// pod VM, through forwarder and agent: create-to-first-output of a busybox container and stdout throughput of 100 MiB;
/// beside them, in the same VM and run: exec-to-first-output (crun exec in a running container, no image unpack or
/// bundle) and the same 100 MiB through a pipe inside the guest (no agent, no forwarder).
/// </summary>
public sealed class GuestBenchmarks(PodVmFixture vm, ITestOutputHelper output)
{
    private const int Runs = 5;
    private const long Bytes = 100L * 1024 * 1024;

    [Fact]
    public async Task Benchmark_CreateToOutputAndStdoutThroughput_WithInGuestBaselines()
    {
        if (Environment.GetEnvironmentVariable("PODVM_GUEST_BENCH") != "1")
        {
            Assert.Skip("a benchmark: set PODVM_GUEST_BENCH=1 to run it");
        }

        var agent = vm.Agent;
        var create = new List<double>();
        var exec = new List<double>();
        await StartAsync(agent, "bench-base", ["sleep", "100000"]);
        for (var i = 0; i < Runs; i++)
        {
            var id = $"bench-c{i}";
            var watch = Stopwatch.StartNew();
            await StartAsync(agent, id, ["/bin/sh", "-c", "echo ready"]);
            var first = await agent.ReadStdoutAsync(new ReadStreamRequest { ContainerId = id, Len = 4096 }).ResponseAsync.WithTimeout(Long);
            create.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal("ready\n", first.Data.ToStringUtf8());
            await WaitAsync(agent, id);
            await RemoveAsync(agent, id);

            var execId = $"bench-e{i}";
            watch.Restart();
            await agent.ExecProcessAsync(new ExecProcessRequest { ContainerId = "bench-base", ExecId = execId, Process = Exec("/bin/sh", "-c", "echo ready") }).ResponseAsync.WithTimeout(Long);
            var firstExec = await agent.ReadStdoutAsync(new ReadStreamRequest { ContainerId = "bench-base", ExecId = execId, Len = 4096 }).ResponseAsync.WithTimeout(Long);
            exec.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal("ready\n", firstExec.Data.ToStringUtf8());
            await WaitAsync(agent, "bench-base", execId);
        }

        // Through agent and forwarder: the container writes 100 MiB to stdout, the host reads it all.
        var flood = Stopwatch.StartNew();
        await StartAsync(agent, "bench-flood", ["/bin/sh", "-c", $"head -c {Bytes} /dev/zero"]);
        long received = 0;
        await DrainAsync(agent, "bench-flood", string.Empty, stderr: false, chunk => received += chunk.Length);
        var throughFwd = Bytes / (1024.0 * 1024.0) / flood.Elapsed.TotalSeconds;
        Assert.Equal(Bytes, received);
        await WaitAsync(agent, "bench-flood");
        await RemoveAsync(agent, "bench-flood");

        // Baseline: the same bytes through a pipe inside the guest, timed by the guest (centiseconds of /proc/uptime).
        var script = $"a=$(cut -d' ' -f1 /proc/uptime); head -c {Bytes} /dev/zero | cat > /dev/null; b=$(cut -d' ' -f1 /proc/uptime); echo $a $b";
        await agent.ExecProcessAsync(new ExecProcessRequest { ContainerId = "bench-base", ExecId = "bench-pipe", Process = Exec("/bin/sh", "-c", script) }).ResponseAsync.WithTimeout(Long);
        var times = (await ReadTextAsync(agent, "bench-base", "bench-pipe")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var seconds = double.Parse(times[1], CultureInfo.InvariantCulture) - double.Parse(times[0], CultureInfo.InvariantCulture);
        var inGuest = Bytes / (1024.0 * 1024.0) / Math.Max(seconds, 0.01);
        await RemoveAsync(agent, "bench-base");

        create.Sort();
        exec.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"create-to-first-output (CreateContainer+StartContainer+ReadStdout, busybox, via forwarder): median {create[Runs / 2]:0} ms (min {create[0]:0}, max {create[^1]:0}), n={Runs}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseline exec-to-first-output (ExecProcess+ReadStdout in a running container): median {exec[Runs / 2]:0} ms (min {exec[0]:0}, max {exec[^1]:0}), n={Runs}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stdout 100 MiB through agent + forwarder + TLS: {throughFwd:0.0} MiB/s; baseline same bytes through a pipe in the guest: {inGuest:0.0} MiB/s ({seconds:0.00} s)"));
    }
}
