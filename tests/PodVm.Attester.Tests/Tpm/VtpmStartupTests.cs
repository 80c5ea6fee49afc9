using Microsoft.Extensions.Logging.Abstractions;
using PodVm.Attester.Configuration;
using PodVm.Attester.Tpm;

namespace PodVm.Attester.Tests.Tpm;

public sealed class VtpmStartupTests
{
    [Fact]
    public void ReadDigest_HexFile_Bytes()
    {
        using var dir = new TempDirectory();
        var path = dir.File("initdata.digest", new string('a', 96) + "\n");

        Assert.Equal(48, VtpmStartup.ReadDigest(path).Length);
    }

    [Fact]
    public void ReadDigest_NoFile_Empty()
    {
        using var dir = new TempDirectory();

        Assert.Empty(VtpmStartup.ReadDigest(dir.Combine("missing")));
    }

    [Fact]
    public void ReadDigest_LongerThanSha512_Throws()
    {
        using var dir = new TempDirectory();
        var path = dir.File("initdata.digest", new string('a', 130));

        Assert.Throws<FormatException>(() => VtpmStartup.ReadDigest(path));
    }

    [Fact]
    public async Task TryStartAsync_NoTpmDevice_Null()
    {
        using var dir = new TempDirectory();
        var options = new AttesterOptions { TpmDevicePath = dir.Combine("tpmrm0") };

        var vtpm = await VtpmStartup.TryStartAsync(options, NullLogger.Instance, TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Null(vtpm);
    }

    [Fact]
    public async Task TryStartAsync_DeviceNotATpm_NullAndAttesterRunsWithout()
    {
        using var dir = new TempDirectory();
        var options = new AttesterOptions { TpmDevicePath = dir.File("tpmrm0", "not a TPM"), InitDataDigestPath = dir.Combine("none") };

        var vtpm = await VtpmStartup.TryStartAsync(options, NullLogger.Instance, TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.Null(vtpm);
    }

    [Fact]
    public void Parse_TpmNone_Disabled()
    {
        Assert.Null(AttesterCommandLine.Parse(["--tpm", "none"]).TpmDevicePath);
        Assert.Equal("/dev/tpm0", AttesterCommandLine.Parse(["--tpm=/dev/tpm0"]).TpmDevicePath);
        Assert.Equal(TpmDeviceTransport.DefaultPath, AttesterCommandLine.Parse([]).TpmDevicePath);
        Assert.Equal("/x/digest", AttesterCommandLine.Parse(["--initdata-digest", "/x/digest"]).InitDataDigestPath);
    }
}
