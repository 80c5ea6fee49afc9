using System.Text;
using PodVm.LocalKvmProvider.Image;

namespace PodVm.LocalKvmProvider.Tests.Image;

public sealed class InitScriptTests
{
    private static readonly string Init = Encoding.UTF8.GetString(GuestFiles.Read(GuestFiles.Init));

    [Fact]
    public void Init_PointsTheKernelAtTheImagesModprobe_BeforeItLoadsAnyModule()
    {
        var line = $"echo {ImageBuilder.KernelModprobe} > /proc/sys/kernel/modprobe";

        Assert.Contains(line, Init, StringComparison.Ordinal);
        Assert.True(Init.IndexOf(line, StringComparison.Ordinal) < Init.IndexOf("modprobe -a \"$@\"", StringComparison.Ordinal));
        Assert.NotEqual("/" + ImageBuilder.BootModprobe, ImageBuilder.KernelModprobe);
    }

    [Fact]
    public void Init_ForwarderReadsTheUserDataFromFwCfg_NoCopyWhenAForwarderRuns()
    {
        Assert.Contains("-user-data \"$forwarder_userdata\"", Init, StringComparison.Ordinal);
        Assert.Contains("forwarder_userdata=$userdata", Init, StringComparison.Ordinal);
    }

    /// <summary>The script's commands: comment lines left out.</summary>
    private static readonly string Commands = string.Join('\n', Init.Split('\n').Where(l => !l.TrimStart().StartsWith('#')));

    private static readonly int Ready = Commands.IndexOf("step ready", StringComparison.Ordinal);

    private const string ForwarderStart = "/usr/bin/podvm-forwarder ${agent_inside:+-with-agent} -process-user-data-first";

    [Fact]
    public void Init_MultiCallBinary_ForwarderStartsTheAgentInItsProcessAndEachReportsOnItsOwnFifo()
    {
        // GuestMultiCall: "podvm-forwarder -with-agent FORWARDER-ARGS -- AGENT-ARGS".
        Assert.Contains("[ -e /usr/bin/podvm-guest ] && agent_inside=1", Commands, StringComparison.Ordinal);
        Assert.Contains(ForwarderStart, Commands, StringComparison.Ordinal);
        Assert.Contains("-notify /run/podvm/forwarder.notify ${agent_inside:+-- --notify /run/podvm/agent.notify}", Commands, StringComparison.Ordinal);
        Assert.Contains("[ -n \"$agent_inside\" ] && agent=$forwarder", Commands, StringComparison.Ordinal);
        Assert.Contains("await_state 4 READY=1 podvm-guest-agent \"$agent\"", Commands, StringComparison.Ordinal);
        // The agent's FIFO is open before the forwarder (which writes to it) starts.
        Assert.True(Commands.IndexOf("exec 4<>/run/podvm/agent.notify", StringComparison.Ordinal) < Commands.IndexOf(ForwarderStart, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ip route add default via 10.0.2.2")]
    [InlineData("ip link set lo up")]
    [InlineData("mount -a -T /etc/podvm/fstab.dev")]
    [InlineData("mkdir -p /dev/virtio-ports /dev/pts /dev/shm")]
    [InlineData("ln -sf")]
    [InlineData("/usr/bin/podvm-attester <")]
    public void Init_WhatTheHostsFirstCallsDoNotNeed_RunsAfterTheReadyLineOnTheSideChannel(string command)
    {
        // The local provider returns from create when the side channel's ready line arrives: every fork between
        // "step ready" and that line would count as boot time.
        var sideChannelReady = Commands.IndexOf("\"step\":\"ready\"", StringComparison.Ordinal);
        Assert.True(Ready > 0 && sideChannelReady > Ready);
        var at = Commands.IndexOf(command, StringComparison.Ordinal);
        Assert.True(at > sideChannelReady, $"'{command}' at {at}, the side channel's ready line at {sideChannelReady}");
        Assert.Equal(at, Commands.LastIndexOf(command, StringComparison.Ordinal));
    }

    [Fact]
    public void Init_BeforeReady_Eth0InOneCommandAndTheProgramsWithoutSetsid()
    {
        var beforeReady = Commands[..Ready];

        Assert.Contains("ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up", beforeReady, StringComparison.Ordinal);
        Assert.DoesNotContain("ip ", beforeReady, StringComparison.Ordinal);
        Assert.DoesNotContain("setsid", Commands, StringComparison.Ordinal);
        Assert.Contains("  " + ForwarderStart, beforeReady, StringComparison.Ordinal);
        Assert.Contains("  /usr/bin/podvm-guest-agent --notify", beforeReady, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_RunDirectoriesAndFifos_ComeWithTheImage_CheckedWithBuiltinsBeforeFirstUse()
    {
        var beforeReady = Commands[..Ready];
        var check = Commands.IndexOf("[ -p /run/podvm/forwarder.notify ] && [ -p /run/podvm/agent.notify ] && [ -d /run/peerpod ]", StringComparison.Ordinal);

        Assert.DoesNotContain("mkfifo", Commands, StringComparison.Ordinal);
        Assert.DoesNotContain("mkdir", beforeReady, StringComparison.Ordinal);
        Assert.True(check > 0);
        Assert.True(check < Commands.IndexOf("exec 4<>/run/podvm/agent.notify", StringComparison.Ordinal));
        Assert.True(check < Commands.IndexOf("exec 3<>/run/podvm/forwarder.notify", StringComparison.Ordinal));
        Assert.True(check < Commands.IndexOf("cat \"$userdata\" > /run/peerpod/userdata", StringComparison.Ordinal));
    }

    [Fact]
    public void Image_RunPodvmAndRunPeerpod_RootOnly_WithTheNotifyFifos_AndNoTmpfsOverRun()
    {
        var tree = new InitramfsTree();
        ImageBuilder.AddRunDirectories(tree);
        var entries = tree.Entries.ToDictionary(e => e.Path);
        var fstab = Encoding.UTF8.GetString(GuestFiles.Read(GuestFiles.FstabEarly));

        Assert.Equal((InitramfsEntryKind.Directory, 0x1C0), (entries["run/podvm"].Kind, entries["run/podvm"].Permissions));
        Assert.Equal((InitramfsEntryKind.Directory, 0x1C0), (entries["run/peerpod"].Kind, entries["run/peerpod"].Permissions));
        Assert.Equal((InitramfsEntryKind.Fifo, 0x180), (entries["run/podvm/forwarder.notify"].Kind, entries["run/podvm/forwarder.notify"].Permissions));
        Assert.Equal((InitramfsEntryKind.Fifo, 0x180), (entries["run/podvm/agent.notify"].Kind, entries["run/podvm/agent.notify"].Permissions));
        // A tmpfs mounted over /run would hide them.
        Assert.DoesNotContain(fstab.Split('\n'), l => !l.StartsWith('#') && l.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "/run");
    }

    [Fact]
    public async Task BareInitrd_OnlyWhatTheTrivialInitNeeds_NoRunDirectories()
    {
        if (!File.Exists("/bin/busybox") && !File.Exists("/usr/bin/busybox"))
        {
            Assert.Skip("busybox is not installed (Debian package busybox-static; run scripts/install-prerequisites.sh)");
        }

        var path = Path.Combine(Directory.CreateTempSubdirectory("podvm-bare-").FullName, "bare.img");
        try
        {
            await ImageBuilder.WriteBareInitrdAsync(path, CancellationToken.None);
            using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
            using var cpio = new MemoryStream();
            await gzip.CopyToAsync(cpio);

            var names = CpioReader.Read(cpio.ToArray()).Select(e => e.Name).Where(n => n != "TRAILER!!!").Order(StringComparer.Ordinal);

            Assert.Equal(["bin", "bin/busybox", "bin/echo", "bin/mount", "bin/sh", "dev", "dev/console", "init", "proc", "sbin", "sbin/reboot"], names);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
