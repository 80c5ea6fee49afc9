using PodVm.LocalKvmProvider.Image;

namespace PodVm.LocalKvmProvider.Tests.Image;

public sealed class ImageManifestTests
{
    private static ImageManifest Sample() => new()
    {
        InputDigest = "ab",
        Kernel = new KernelComponent("linux-image-6.1.0-56-amd64", "6.1.192-2", "6.1.0-56-amd64", "cd"),
        Components = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["crun"] = "1.8.1", ["busybox-static"] = "1:1.35" },
        Modules = ["kernel/drivers/virtio/virtio.ko", "kernel/drivers/net/virtio_net.ko"],
        GuestPrograms = [new GuestProgramEntry("guest-agent/X/X.csproj", "/usr/bin/podvm-guest-agent", "ef")],
        Files = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["vmlinux"] = "01", ["initrd.img"] = "02" },
        InitramfsFiles = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["/init"] = "03" },
        LaunchDigests = new SortedDictionary<string, LaunchDigest>(StringComparer.Ordinal)
        {
            [ImageManifest.PvhBoot] = new("vmlinux", "initrd.img", "console=ttyS0", "aa"),
        },
    };

    [Fact]
    public void ToJson_ParseBack_RoundTrips()
    {
        var json = Sample().ToJson();
        var parsed = ImageManifest.Parse(json);
        Assert.Equal(json, parsed.ToJson());
        Assert.Equal("aa", parsed.LaunchDigests[ImageManifest.PvhBoot].Sha384);
        Assert.Equal(ImageManifest.CurrentSchema, parsed.Schema);
    }

    [Fact]
    public void ToJson_SortedMaps_KeysInOrdinalOrderAndNoTimes()
    {
        var json = Sample().ToJson();
        Assert.True(json.IndexOf("\"busybox-static\"", StringComparison.Ordinal) < json.IndexOf("\"crun\"", StringComparison.Ordinal));
        Assert.True(json.IndexOf("\"initrd.img\"", StringComparison.Ordinal) < json.IndexOf("\"vmlinux\"", StringComparison.Ordinal));
        Assert.DoesNotContain("time", json, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("}\n", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{\"schema\":")]
    public void Parse_Malformed_Throws(string json)
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => ImageManifest.Parse(json));
    }
}
