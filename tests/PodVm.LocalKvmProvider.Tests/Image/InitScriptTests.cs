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
}
