using PodVm.LocalKvmProvider.Qemu;

namespace PodVm.LocalKvmProvider.Tests.Qemu;

public sealed class AcceleratorDetectorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("podvm-sys-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Modules(params string[] names)
    {
        var modules = Path.Combine(_root, "module");
        foreach (var name in names)
        {
            Directory.CreateDirectory(Path.Combine(modules, name));
        }

        Directory.CreateDirectory(modules);
        return modules;
    }

    private string KvmDevice()
    {
        var device = Path.Combine(_root, "kvm");
        File.WriteAllText(device, "");
        return device;
    }

    [Theory]
    [InlineData("kvm_amd")]
    [InlineData("kvm_intel")]
    public void Detect_HardwareModuleAndDevice_Kvm(string module)
    {
        Assert.Equal(Accelerator.Kvm, AcceleratorDetector.Detect(Modules("kvm", module), KvmDevice()));
    }

    [Fact]
    public void Detect_PvmOnly_Tcg()
    {
        Assert.Equal(Accelerator.Tcg, AcceleratorDetector.Detect(Modules("kvm", "kvm_pvm"), KvmDevice()));
    }

    [Fact]
    public void Detect_ModuleWithoutDevice_Tcg()
    {
        Assert.Equal(Accelerator.Tcg, AcceleratorDetector.Detect(Modules("kvm_amd"), Path.Combine(_root, "no-kvm")));
    }

    [Theory]
    [InlineData("tcg", Accelerator.Tcg)]
    [InlineData("KVM", Accelerator.Kvm)]
    public void Resolve_Explicit_Honoured(string configured, Accelerator expected)
    {
        Assert.Equal(expected, AcceleratorDetector.Resolve(configured, Modules(), Path.Combine(_root, "no-kvm")));
    }

    [Fact]
    public void Resolve_Unknown_Throws()
    {
        Assert.Throws<ArgumentException>(() => AcceleratorDetector.Resolve("hvf"));
    }
}
