using System.Net;
using PodVm.Attester.Configuration;

namespace PodVm.Attester.Tests.Configuration;

public sealed class AttesterCommandLineTests
{
    [Fact]
    public void Parse_NoArguments_UsesPodVmDefaults()
    {
        var o = AttesterCommandLine.Parse([]);

        Assert.Null(o.KbsUrl);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8006), o.Listen);
        Assert.Equal(TeeSelection.Auto, o.Tee);
        Assert.Equal("/dev/virtio-ports/podvm.side", o.SideChannelPath);
        Assert.Equal("/sys/kernel/config/tsm/report", o.TsmRoot);
        Assert.Equal("/dev/sev-guest", o.SevGuestPath);
        Assert.Equal("/run/peerpod/cdh.toml", o.CdhConfigPath);
        Assert.Equal("/run/peerpod/aa.toml", o.AaConfigPath);
    }

    [Fact]
    public void Parse_AllFlags_OverrideDefaults()
    {
        var o = AttesterCommandLine.Parse(["--kbs-url", "https://kbs.example:8443", "--kbs-cert", "/tmp/c.pem", "--listen", "127.0.0.1:9006", "--tee=snp",
            "--side-channel", "/tmp/side", "--tsm-root", "/tmp/tsm", "--sev-guest", "/tmp/sev", "--cdh-config", "/tmp/cdh.toml", "--aa-config", "/tmp/aa.toml", "--initdata", "/tmp/initdata"]);

        Assert.Equal(new Uri("https://kbs.example:8443"), o.KbsUrl);
        Assert.Equal("/tmp/c.pem", o.KbsCertificateFile);
        Assert.Equal(9006, o.Listen.Port);
        Assert.Equal(TeeSelection.Snp, o.Tee);
        Assert.Equal("/tmp/side", o.SideChannelPath);
        Assert.Equal("/tmp/tsm", o.TsmRoot);
        Assert.Equal("/tmp/sev", o.SevGuestPath);
        Assert.Equal("/tmp/cdh.toml", o.CdhConfigPath);
        Assert.Equal("/tmp/aa.toml", o.AaConfigPath);
        Assert.Equal("/tmp/initdata", o.InitDataPath);
    }

    [Theory]
    [InlineData("local-dev", "LocalDev")]
    [InlineData("TDX", "Tdx")]
    [InlineData("auto", "Auto")]
    public void Parse_Tee_IsCaseInsensitive(string value, string expected) =>
        Assert.Equal(expected, AttesterCommandLine.Parse(["--tee", value]).Tee.ToString());

    [Theory]
    [InlineData(new[] { "--tee", "sgx" }, "--tee")]
    [InlineData(new[] { "--listen", "localhost" }, "--listen")]
    [InlineData(new[] { "--listen", "127.0.0.1:99999" }, "--listen")]
    [InlineData(new[] { "--kbs-url", "ftp://kbs:21" }, "--kbs-url")]
    [InlineData(new[] { "--kbs-url", "http://kbs:8080/kbs/v0" }, "--kbs-url")]
    [InlineData(new[] { "--kbs-url", "http://user:pw@kbs:8080" }, "--kbs-url")]
    [InlineData(new[] { "--kbs-url" }, "--kbs-url")]
    [InlineData(new[] { "--kbs-url", "--tee", "snp" }, "--kbs-url")]
    [InlineData(new[] { "--frobnicate" }, "--frobnicate")]
    [InlineData(new[] { "--side-channel", " " }, "--side-channel")]
    public void Parse_BadFlag_ThrowsNamingIt(string[] args, string named)
    {
        var ex = Assert.Throws<AttesterConfigException>(() => AttesterCommandLine.Parse(args));
        Assert.Contains(named, ex.Message);
    }
}
