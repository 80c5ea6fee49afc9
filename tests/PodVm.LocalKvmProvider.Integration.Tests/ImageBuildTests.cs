using System.Security.Cryptography;
using PodVm.LocalKvmProvider.Image;

namespace PodVm.LocalKvmProvider.Integration.Tests;

public sealed class ImageBuildTests(ImageFixture fixture)
{
    private static readonly TimeSpan BuildDeadline = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task BuildAsync_NothingChanged_UpToDateWithinSeconds()
    {
        var image = fixture.Require();
        var again = await new ImageBuilder().BuildAsync(fixture.Options, TestContext.Current.CancellationToken).WithTimeout(BuildDeadline);
        Assert.True(again.UpToDate);
        Assert.Equal(image.Manifest.ToJson(), again.Manifest.ToJson());
        Assert.True(again.Elapsed < TimeSpan.FromSeconds(60), $"an up-to-date build took {again.Elapsed}");
    }

    [Fact]
    public async Task BuildAsync_TwiceIntoFreshDirectories_ByteIdenticalOutput()
    {
        var image = fixture.Require();
        var output = Path.Combine(fixture.WorkRoot, "rebuild");
        var rebuilt = await new ImageBuilder().BuildAsync(fixture.Options with { OutputDirectory = output }, TestContext.Current.CancellationToken).WithTimeout(BuildDeadline);

        Assert.False(rebuilt.UpToDate);
        foreach (var file in new[] { ImageBuilder.VmlinuxFile, ImageBuilder.VmlinuzFile, ImageBuilder.InitrdFile, ImageManifest.FileName })
        {
            Assert.Equal(Sha256(Path.Combine(image.OutputDirectory, file)), Sha256(Path.Combine(output, file)));
        }

        Assert.Equal(image.Manifest.LaunchDigests[ImageManifest.PvhBoot], rebuilt.Manifest.LaunchDigests[ImageManifest.PvhBoot]);
    }

    [Fact]
    public async Task BuildAsync_OneInputByteChanged_LaunchDigestChanges()
    {
        var image = fixture.Require();
        var extra = Path.Combine(fixture.WorkRoot, "extra");
        await File.WriteAllBytesAsync(extra, [0x00], TestContext.Current.CancellationToken);
        var options = fixture.Options with
        {
            OutputDirectory = Path.Combine(fixture.WorkRoot, "changed-a"),
            ExtraFiles = new Dictionary<string, string> { ["/etc/podvm/test-input"] = extra },
        };
        var first = await new ImageBuilder().BuildAsync(options, TestContext.Current.CancellationToken).WithTimeout(BuildDeadline);
        await File.WriteAllBytesAsync(extra, [0x01], TestContext.Current.CancellationToken);
        var second = await new ImageBuilder().BuildAsync(options with { OutputDirectory = Path.Combine(fixture.WorkRoot, "changed-b") }, TestContext.Current.CancellationToken).WithTimeout(BuildDeadline);

        Assert.NotEqual(image.Manifest.InputDigest, first.Manifest.InputDigest);
        Assert.NotEqual(first.Manifest.InputDigest, second.Manifest.InputDigest);
        Assert.NotEqual(first.Manifest.LaunchDigests[ImageManifest.PvhBoot].Sha384, second.Manifest.LaunchDigests[ImageManifest.PvhBoot].Sha384);
        Assert.NotEqual(first.Manifest.LaunchDigests[ImageManifest.BzImageBoot].Sha384, second.Manifest.LaunchDigests[ImageManifest.BzImageBoot].Sha384);
        Assert.Equal(first.Manifest.Files[ImageBuilder.VmlinuxFile], second.Manifest.Files[ImageBuilder.VmlinuxFile]);
    }

    [Fact]
    public void BuildAsync_Defaults_Lz4LegacyInitrdAndLateModulesListedAfterTheBootModules()
    {
        var image = fixture.Require();
        using (var initrd = File.OpenRead(Path.Combine(image.OutputDirectory, ImageBuilder.InitrdFile)))
        {
            var magic = new byte[4];
            initrd.ReadExactly(magic);
            // lz4's legacy frame magic 0x184C2102, little-endian: the format the kernel's unpacker reads.
            Assert.Equal([0x02, 0x21, 0x4C, 0x18], magic);
        }

        Assert.True(image.Manifest.Components.ContainsKey("lz4"));
        var modules = image.Manifest.Modules.Select(m => Path.GetFileName(m)).ToList();
        // Boot modules first (what ready needs), then the late ones; overlay is late since session 9.
        Assert.True(modules.IndexOf("qemu_fw_cfg.ko") < modules.IndexOf("overlay.ko"), string.Join(' ', modules));
        Assert.True(modules.IndexOf("virtio_net.ko") < modules.IndexOf("virtio_blk.ko"), string.Join(' ', modules));
        Assert.DoesNotContain("overlay", ImageBuildOptions.DefaultModules);
        Assert.Contains("overlay", ImageBuildOptions.DefaultLateModules);
    }

    [Fact]
    public void Manifest_LaunchDigest_RecomputesFromTheFiles()
    {
        var image = fixture.Require();
        var pvh = image.Manifest.LaunchDigests[ImageManifest.PvhBoot];
        var recomputed = LaunchMeasurement.Compute(Path.Combine(image.OutputDirectory, pvh.Kernel), Path.Combine(image.OutputDirectory, pvh.Initrd), pvh.CommandLine);
        Assert.Equal(pvh.Sha384, Convert.ToHexStringLower(recomputed));
        Assert.Contains("/init", image.Manifest.InitramfsFiles.Keys);
        Assert.Contains("/usr/bin/crun", image.Manifest.InitramfsFiles.Keys);
        Assert.Contains(image.Manifest.Modules, m => m.EndsWith("virtio_net.ko", StringComparison.Ordinal));
    }

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
