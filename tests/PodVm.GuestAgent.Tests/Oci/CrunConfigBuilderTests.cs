using System.Text.Json;
using PodVm.GuestAgent.Oci;
using PodVm.Protocols.Agent;

namespace PodVm.GuestAgent.Tests.Oci;

public sealed class CrunConfigBuilderTests
{
    private static Spec SampleSpec()
    {
        var spec = new Spec
        {
            Version = "1.0.2",
            Hostname = "pod-host",
            Root = new Root { Path = "/ignored", Readonly = true },
            Process = new Process { Cwd = "/work", NoNewPrivileges = true, OOMScoreAdj = 500, User = new User { UID = 1000, GID = 100 } },
            Linux = new Linux
            {
                Resources = new LinuxResources
                {
                    Memory = new LinuxMemory { Limit = 33554432, Swap = -1 },
                    CPU = new LinuxCPU { Quota = 50000, Period = 100000, Shares = 512 },
                    Pids = new LinuxPids { Limit = 64 },
                },
            },
        };
        spec.Process.Args.AddRange(["/bin/sh", "-c", "echo hi"]);
        spec.Process.Env.AddRange(["PATH=/bin", "FOO=bar"]);
        spec.Process.User.AdditionalGids.Add(10);
        spec.Process.Rlimits.Add(new POSIXRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 512 });
        spec.Process.Capabilities = new LinuxCapabilities();
        spec.Process.Capabilities.Bounding.Add("CAP_CHOWN");
        spec.Process.Capabilities.Effective.Add("CAP_CHOWN");
        spec.Mounts.Add(new Mount { Destination = "/proc", Type = "proc", Source = "proc" });
        spec.Mounts.Add(new Mount { Destination = "/etc/hosts", Type = "bind", Source = "/host/only/hosts", Options = { "rbind", "ro" } });
        spec.Linux.Namespaces.Add(new LinuxNamespace { Type = "network", Path = "/run/netns/podns" });
        spec.Linux.Namespaces.Add(new LinuxNamespace { Type = "user" });
        spec.Linux.Sysctl["net.ipv4.ip_forward"] = "1";
        spec.Linux.MaskedPaths.Add("/proc/kcore");
        return spec;
    }

    private static JsonElement Build(Spec spec, string? sharedIpc, string? sharedUts, string? sharedPid, out IReadOnlyList<string> dropped)
    {
        var options = new CrunBundleOptions
        {
            RootfsPath = "/run/kata-containers/c1/rootfs",
            CgroupsPath = "/podvm/c1",
            Namespaces = NamespacePlanner.Plan(spec, sharedIpc, sharedUts, sharedPid),
            DefaultEnv = ["PATH=/usr/bin:/bin", "HOME=/root"],
        };
        var bytes = CrunConfigBuilder.Build(spec, options, p => p.StartsWith("/exists", StringComparison.Ordinal), out dropped);
        return JsonDocument.Parse(bytes).RootElement.Clone();
    }

    [Fact]
    public void Build_Process_TranslatesEveryField()
    {
        var json = Build(SampleSpec(), null, null, null, out _);
        var p = json.GetProperty("process");

        Assert.Equal(new[] { "/bin/sh", "-c", "echo hi" }, p.GetProperty("args").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(new[] { "PATH=/bin", "HOME=/root", "FOO=bar" }, p.GetProperty("env").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("/work", p.GetProperty("cwd").GetString());
        Assert.Equal(1000, p.GetProperty("user").GetProperty("uid").GetInt32());
        Assert.Equal(100, p.GetProperty("user").GetProperty("gid").GetInt32());
        Assert.Equal(10, p.GetProperty("user").GetProperty("additionalGids")[0].GetInt32());
        Assert.Equal("CAP_CHOWN", p.GetProperty("capabilities").GetProperty("bounding")[0].GetString());
        Assert.Equal(512, p.GetProperty("rlimits")[0].GetProperty("soft").GetInt32());
        Assert.True(p.GetProperty("noNewPrivileges").GetBoolean());
        Assert.Equal(500, p.GetProperty("oomScoreAdj").GetInt32());
        Assert.False(p.GetProperty("terminal").GetBoolean());
    }

    [Fact]
    public void Build_RootAndCgroups_UseAgentChoices()
    {
        var json = Build(SampleSpec(), null, null, null, out _);
        var linux = json.GetProperty("linux");

        Assert.Equal("/run/kata-containers/c1/rootfs", json.GetProperty("root").GetProperty("path").GetString());
        Assert.True(json.GetProperty("root").GetProperty("readonly").GetBoolean());
        Assert.Equal("/podvm/c1", linux.GetProperty("cgroupsPath").GetString());
        Assert.Equal(33554432, linux.GetProperty("resources").GetProperty("memory").GetProperty("limit").GetInt64());
        Assert.Equal(-1, linux.GetProperty("resources").GetProperty("memory").GetProperty("swap").GetInt64());
        Assert.Equal(50000, linux.GetProperty("resources").GetProperty("cpu").GetProperty("quota").GetInt64());
        Assert.Equal(512, linux.GetProperty("resources").GetProperty("cpu").GetProperty("shares").GetInt64());
        Assert.Equal(64, linux.GetProperty("resources").GetProperty("pids").GetProperty("limit").GetInt64());
        Assert.Equal("1", linux.GetProperty("sysctl").GetProperty("net.ipv4.ip_forward").GetString());
        Assert.Equal("/proc/kcore", linux.GetProperty("maskedPaths")[0].GetString());
    }

    [Fact]
    public void Build_SharedSandboxNamespaces_JoinedAndNoHostname()
    {
        var json = Build(SampleSpec(), "/ns/ipc", "/ns/uts", "/proc/42/ns/pid", out _);
        var ns = json.GetProperty("linux").GetProperty("namespaces").EnumerateArray()
            .ToDictionary(e => e.GetProperty("type").GetString()!, e => e.TryGetProperty("path", out var p) ? p.GetString() : null);

        Assert.Equal("/ns/ipc", ns["ipc"]);
        Assert.Equal("/ns/uts", ns["uts"]);
        Assert.Equal("/proc/42/ns/pid", ns["pid"]);
        Assert.Null(ns["mount"]);
        Assert.Equal("/run/netns/podns", ns["network"]);
        Assert.False(ns.ContainsKey("user"));
        Assert.False(json.TryGetProperty("hostname", out _));
    }

    [Fact]
    public void Build_OwnUtsNamespace_SetsHostname()
    {
        var json = Build(SampleSpec(), null, null, null, out _);

        Assert.Equal("pod-host", json.GetProperty("hostname").GetString());
    }

    [Fact]
    public void Build_NetworkWithoutPath_UsesVmNetwork()
    {
        var spec = SampleSpec();
        spec.Linux.Namespaces.Clear();
        spec.Linux.Namespaces.Add(new LinuxNamespace { Type = "network" });

        var json = Build(spec, null, null, null, out _);

        Assert.DoesNotContain(json.GetProperty("linux").GetProperty("namespaces").EnumerateArray(), e => e.GetProperty("type").GetString() == "network");
    }

    [Fact]
    public void Build_BindFromHostPath_DroppedAndReported()
    {
        var json = Build(SampleSpec(), null, null, null, out var dropped);

        Assert.Single(dropped);
        Assert.Contains("/etc/hosts", dropped[0], StringComparison.Ordinal);
        Assert.DoesNotContain(json.GetProperty("mounts").EnumerateArray(), m => m.GetProperty("destination").GetString() == "/etc/hosts");
    }

    [Fact]
    public void Build_NoMountsNoArgs_UsesDefaultsAndImage()
    {
        var spec = new Spec { Process = new Process() };
        var options = new CrunBundleOptions { RootfsPath = "/r", CgroupsPath = "/c", Namespaces = NamespacePlanner.Plan(spec, null, null, null), DefaultArgs = ["sh"], DefaultCwd = "/home" };

        var json = JsonDocument.Parse(CrunConfigBuilder.Build(spec, options, _ => true, out _)).RootElement;

        Assert.Contains(json.GetProperty("mounts").EnumerateArray(), m => m.GetProperty("destination").GetString() == "/proc");
        Assert.Equal("sh", json.GetProperty("process").GetProperty("args")[0].GetString());
        Assert.Equal("/home", json.GetProperty("process").GetProperty("cwd").GetString());
        Assert.Equal("CAP_KILL", json.GetProperty("process").GetProperty("capabilities").GetProperty("bounding")[1].GetString());
    }

    [Fact]
    public void BuildResources_Update_OnlySetFields()
    {
        var json = JsonDocument.Parse(CrunConfigBuilder.BuildResources(new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 20 } })).RootElement;

        Assert.Equal(1 << 20, json.GetProperty("memory").GetProperty("limit").GetInt64());
        Assert.False(json.TryGetProperty("cpu", out _));
    }

    [Fact]
    public void MergeEnv_SpecOverridesImage() =>
        Assert.Equal(new[] { "A=2", "B=1", "C=3" }, CrunConfigBuilder.MergeEnv(["A=1", "B=1"], ["A=2", "C=3"]));
}
