using System.Text.Json;
using PodVm.Protocols.Agent;
using Process = PodVm.Protocols.Agent.Process;

namespace PodVm.Cli.Run;

/// <summary>
/// A CreateContainerRequest as the Kata shim sends it for an image the pod VM carries (pulled in the guest,
/// <c>image_guest_pull</c>): rootfs under /run/kata-containers/&lt;id&gt;, ipc/uts/mount namespaces, root user.
/// </summary>
internal static class BusyboxContainer
{
    public static CreateContainerRequest Create(string containerId, string image, IEnumerable<string> args, IEnumerable<string> environment, string hostname, long memoryLimitMiB = 0)
    {
        var rootfs = $"/run/kata-containers/{containerId}/rootfs";
        var process = new Process { Cwd = "/", User = new User { UID = 0, GID = 0 }, Terminal = false };
        process.Args.Add(args);
        process.Env.Add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        process.Env.Add(environment);
        var spec = new Spec { Version = "1.1.0", Process = process, Root = new Root { Path = rootfs }, Hostname = hostname, Linux = new Linux() };
        foreach (var ns in new[] { "ipc", "uts", "mount" })
        {
            spec.Linux.Namespaces.Add(new LinuxNamespace { Type = ns });
        }

        if (memoryLimitMiB > 0)
        {
            spec.Linux.Resources = new LinuxResources { Memory = new LinuxMemory { Limit = memoryLimitMiB * 1024L * 1024L } };
        }

        var storage = new Storage { Driver = "image_guest_pull", Source = image, MountPoint = rootfs, Fstype = "overlay" };
        storage.DriverOptions.Add("image_guest_pull=" + JsonSerializer.Serialize(new Dictionary<string, string> { ["image"] = image }, RunJsonContext.Default.DictionaryStringString));
        var create = new CreateContainerRequest { ContainerId = containerId, ExecId = containerId, OCI = spec, SandboxPidns = false };
        create.Storages.Add(storage);
        return create;
    }

    /// <summary>A process for ExecProcess in a running busybox container.</summary>
    public static Process Exec(params string[] args)
    {
        var process = new Process { Cwd = "/", User = new User { UID = 0, GID = 0 } };
        process.Args.Add(args);
        process.Env.Add("PATH=/bin:/usr/bin");
        return process;
    }
}
