using PodVm.LocalKvmProvider.Image;

namespace PodVm.LocalKvmProvider.Tests.Image;

public sealed class KernelModuleResolverTests
{
    private const string ModulesDep = """
        kernel/drivers/virtio/virtio.ko:
        kernel/drivers/virtio/virtio_ring.ko:
        kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
        kernel/drivers/virtio/virtio_pci_modern_dev.ko:
        kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko
        kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
        kernel/net/core/failover.ko:
        kernel/fs/overlayfs/overlay.ko:
        kernel/a.ko: kernel/b.ko
        kernel/b.ko: kernel/a.ko
        """;

    [Fact]
    public void Resolve_Dependencies_LoadedBeforeDependents()
    {
        var resolver = new KernelModuleResolver(ModulesDep, "kernel/drivers/base/firmware_loader/fw.ko\n");
        var order = resolver.Resolve(["virtio_net", "virtio_pci", "overlay"]);
        Assert.Equal(
            [
                "kernel/net/core/failover.ko", "kernel/drivers/net/net_failover.ko", "kernel/drivers/net/virtio_net.ko",
                "kernel/drivers/virtio/virtio_pci_modern_dev.ko", "kernel/drivers/virtio/virtio_ring.ko",
                "kernel/drivers/virtio/virtio.ko", "kernel/drivers/virtio/virtio_pci.ko", "kernel/fs/overlayfs/overlay.ko",
            ],
            order);
    }

    [Fact]
    public void Resolve_BuiltinModule_Skipped()
    {
        var resolver = new KernelModuleResolver(ModulesDep, "kernel/drivers/firmware/qemu_fw_cfg.ko\n");
        Assert.Empty(resolver.Resolve(["qemu-fw-cfg"]));
    }

    [Fact]
    public void Resolve_UnknownModule_ThrowsNamingIt()
    {
        var resolver = new KernelModuleResolver(ModulesDep, null);
        var e = Assert.Throws<ImageBuildException>(() => resolver.Resolve(["nosuch"]));
        Assert.Contains("nosuch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_Cycle_Terminates()
    {
        var resolver = new KernelModuleResolver(ModulesDep, null);
        Assert.Equal(["kernel/b.ko", "kernel/a.ko"], resolver.Resolve(["a"]));
    }

    [Fact]
    public void DependencyFile_ResolvedModules_OneLinePerModuleWithDepmodDependencies()
    {
        var resolver = new KernelModuleResolver(ModulesDep, null);
        var text = resolver.DependencyFile(resolver.Resolve(["virtio_net", "overlay"]));
        Assert.Equal(
            """
            kernel/net/core/failover.ko:
            kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
            kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko
            kernel/fs/overlayfs/overlay.ko:

            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            text);
    }

    [Fact]
    public void DependencyFile_DependencyNotCarried_ThrowsNamingIt()
    {
        var resolver = new KernelModuleResolver(ModulesDep, null);
        var e = Assert.Throws<ImageBuildException>(() => resolver.DependencyFile(["kernel/drivers/net/virtio_net.ko"]));
        Assert.Contains("kernel/drivers/net/net_failover.ko", e.Message, StringComparison.Ordinal);
    }
}
