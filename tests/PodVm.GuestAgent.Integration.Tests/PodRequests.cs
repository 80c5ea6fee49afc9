using System.Text;
using Grpc.Core;
using PodVm.Protocols.Agent;

namespace PodVm.GuestAgent.Integration.Tests;

/// <summary>Requests as the Kata shim sends them (see cli/PodVm.Cli/Run/ShimSession.cs), and stream helpers.</summary>
internal static class PodRequests
{
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    /// <summary>A CreateContainer for the busybox image the pod VM carries, pulled in the guest (image_guest_pull).</summary>
    public static CreateContainerRequest Container(string id, string[] args, long memoryLimitBytes = 0)
    {
        var rootfs = $"/run/kata-containers/{id}/rootfs";
        var process = new Process { Cwd = "/", User = new User { UID = 0, GID = 0 }, Terminal = false };
        process.Args.AddRange(args);
        process.Env.Add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        var spec = new Spec { Version = "1.1.0", Process = process, Root = new Root { Path = rootfs }, Hostname = PodVmFixture.SandboxHostname, Linux = new Linux() };
        foreach (var ns in new[] { "ipc", "uts", "mount" })
        {
            spec.Linux.Namespaces.Add(new LinuxNamespace { Type = ns });
        }

        if (memoryLimitBytes > 0)
        {
            spec.Linux.Resources = new LinuxResources { Memory = new LinuxMemory { Limit = memoryLimitBytes, Swap = memoryLimitBytes } };
        }

        var storage = new Storage { Driver = "image_guest_pull", Source = "busybox", MountPoint = rootfs, Fstype = "overlay" };
        storage.DriverOptions.Add("image_guest_pull={\"image\":\"busybox\"}");
        var request = new CreateContainerRequest { ContainerId = id, ExecId = id, OCI = spec };
        request.Storages.Add(storage);
        return request;
    }

    public static Process Exec(params string[] args)
    {
        var process = new Process { Cwd = "/", User = new User { UID = 0, GID = 0 } };
        process.Args.AddRange(args);
        process.Env.Add("PATH=/bin:/usr/bin");
        return process;
    }

    public static async Task StartAsync(AgentService.AgentServiceClient agent, string id, string[] args, long memoryLimitBytes = 0)
    {
        await agent.CreateContainerAsync(Container(id, args, memoryLimitBytes)).ResponseAsync.WithTimeout(Long);
        await agent.StartContainerAsync(new StartContainerRequest { ContainerId = id }).ResponseAsync.WithTimeout(Long);
    }

    public static async Task<int> WaitAsync(AgentService.AgentServiceClient agent, string id, string execId = "") =>
        (await agent.WaitProcessAsync(new WaitProcessRequest { ContainerId = id, ExecId = execId }).ResponseAsync.WithTimeout(Long)).Status;

    /// <summary>Reads a stream until the agent ends it (with an error, as the Kata agent does); returns its bytes.</summary>
    public static async Task<byte[]> ReadAllAsync(AgentService.AgentServiceClient agent, string id, string execId, bool stderr = false)
    {
        using var bytes = new MemoryStream();
        await DrainAsync(agent, id, execId, stderr, chunk => bytes.Write(chunk.Span));
        return bytes.ToArray();
    }

    public static async Task<string> ReadTextAsync(AgentService.AgentServiceClient agent, string id, string execId = "", bool stderr = false) =>
        Encoding.UTF8.GetString(await ReadAllAsync(agent, id, execId, stderr));

    /// <summary>Hands every chunk of a stream to <paramref name="sink"/> until the agent ends the stream.</summary>
    public static async Task DrainAsync(AgentService.AgentServiceClient agent, string id, string execId, bool stderr, Action<ReadOnlyMemory<byte>> sink)
    {
        while (true)
        {
            var request = new ReadStreamRequest { ContainerId = id, ExecId = execId, Len = 1024 * 1024 };
            ReadStreamResponse reply;
            try
            {
                reply = stderr
                    ? await agent.ReadStderrAsync(request).ResponseAsync.WithTimeout(Long)
                    : await agent.ReadStdoutAsync(request).ResponseAsync.WithTimeout(Long);
            }
            catch (RpcException e) when (e.Status.Detail.Contains("eof", StringComparison.Ordinal))
            {
                return;
            }

            sink(reply.Data.Memory);
        }
    }

    public static async Task RemoveAsync(AgentService.AgentServiceClient agent, string id) =>
        await agent.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id, Timeout = 30 }).ResponseAsync.WithTimeout(Long);

    /// <summary>A gauge from the agent's GetMetrics (Prometheus text).</summary>
    public static async Task<long> MetricAsync(AgentService.AgentServiceClient agent, string name)
    {
        var text = (await agent.GetMetricsAsync(new GetMetricsRequest()).ResponseAsync.WithTimeout(Long)).Metrics_;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return long.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"metric {name} not in GetMetrics: {text}");
    }
}
