using PodVm.LocalKvmProvider.Qemu;

namespace PodVm.LocalKvmProvider.Tests.Qemu;

public sealed class QemuCommandLineTests
{
    private static QemuLaunchSpec Spec(Accelerator accelerator = Accelerator.Tcg) => new()
    {
        Accelerator = accelerator,
        VCpus = 2,
        MemoryMiB = 192,
        Kernel = "/img/vmlinux",
        Initrd = "/img/initrd.img",
        CommandLine = "console=ttyS0 quiet",
        ConsoleLog = "/vms/vm-1/console.log",
        QmpSocket = "/vms/vm-1/qmp.sock",
        SideChannelSocket = "/vms/a,b/side.sock",
        PidFile = "/vms/vm-1/qemu.pid",
        HostForwardPort = 40001,
        UserDataFile = "/vms/vm-1/userdata.bin",
    };

    private static string After(IReadOnlyList<string> args, string option, int occurrence = 0) =>
        args.Select((a, i) => (a, i)).Where(p => p.a == option).Select(p => args[p.i + 1]).ElementAt(occurrence);

    [Fact]
    public void Build_Tcg_PcMachineAndSizes()
    {
        var args = QemuCommandLine.Build(Spec());
        Assert.Equal("pc", After(args, "-M"));
        Assert.Equal($"tcg,tb-size={QemuLaunchSpec.DefaultTcgTranslationBufferMiB}", After(args, "-accel"));
        Assert.Equal("qemu64,+rdrand", After(args, "-cpu"));
        Assert.Equal("2", After(args, "-smp"));
        Assert.Equal("192", After(args, "-m"));
        Assert.Equal("/img/vmlinux", After(args, "-kernel"));
        Assert.Equal("console=ttyS0 quiet", After(args, "-append"));
        Assert.Contains("-no-reboot", args);
        Assert.Contains("-nodefaults", args);
    }

    [Fact]
    public void Build_Kvm_HostCpu()
    {
        var args = QemuCommandLine.Build(Spec(Accelerator.Kvm));
        Assert.Equal("kvm", After(args, "-accel"));
        Assert.Equal("host", After(args, "-cpu"));
    }

    [Fact]
    public void Build_KvmWithTranslationBufferSet_NoTbSize()
    {
        var args = QemuCommandLine.Build(Spec(Accelerator.Kvm) with { TcgTranslationBufferMiB = 32 });
        Assert.Equal("kvm", After(args, "-accel"));
        Assert.DoesNotContain(args, a => a.Contains("tb-size", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_TcgTranslationBufferZero_QemuDefault()
    {
        Assert.Equal("tcg", After(QemuCommandLine.Build(Spec() with { TcgTranslationBufferMiB = 0 }), "-accel"));
    }

    [Fact]
    public void Build_TcgTranslationBuffer_TbSizeInMiB()
    {
        Assert.Equal("tcg,tb-size=48", After(QemuCommandLine.Build(Spec() with { TcgTranslationBufferMiB = 48 }), "-accel"));
    }

    [Fact]
    public void Build_Channels_ForwardSideChannelQmpAndUserData()
    {
        var args = QemuCommandLine.Build(Spec());
        Assert.Equal("user,id=net0,hostfwd=tcp:127.0.0.1:40001-:15150", After(args, "-netdev"));
        Assert.Equal("socket,id=side,path=/vms/a,,b/side.sock,server=on,wait=off", After(args, "-chardev", 1));
        Assert.Contains("virtserialport,chardev=side,name=podvm.side", args);
        Assert.Equal("unix:/vms/vm-1/qmp.sock,server=on,wait=off", After(args, "-qmp"));
        Assert.Equal("name=opt/podvm/userdata,file=/vms/vm-1/userdata.bin", After(args, "-fw_cfg"));
        Assert.Equal("file,id=console,path=/vms/vm-1/console.log", After(args, "-chardev", 0));
    }

    [Fact]
    public void Build_NoUserData_NoFwCfg()
    {
        Assert.DoesNotContain("-fw_cfg", QemuCommandLine.Build(Spec() with { UserDataFile = null }));
    }
}
