using System.Text;
using PodVm.Attester.Configuration;

namespace PodVm.Attester.Tests.Configuration;

public sealed class KbsConfigReaderTests
{
    private static readonly string Pem = TestCertificates.SelfSigned().ExportCertificatePem();

    private static string CdhToml(string url, string? cert = null, string name = "cc_kbc") => $"""
        socket = 'unix:///run/confidential-containers/cdh.sock'
        credentials = []

        [kbc]
        name = "{name}"
        url = "{url}"
        {(cert is null ? "" : $"kbs_cert = \"\"\"\n{cert}\"\"\"")}

        [image]
        max_concurrent_layer_downloads_per_image = 3
        """;

    [Fact]
    public void FromCdhToml_UpstreamFormatWithCertificate_ReadsUrlAndPem()
    {
        var config = KbsConfigReader.FromCdhToml(Encoding.UTF8.GetBytes(CdhToml("https://10.0.0.1:8080", Pem)), "cdh.toml");

        Assert.NotNull(config);
        Assert.Equal(new Uri("https://10.0.0.1:8080"), config.Url);
        Assert.Contains("-----BEGIN CERTIFICATE-----", config.CertificatePem);
        Assert.Equal("cdh.toml", config.Source);
    }

    [Fact]
    public void FromCdhToml_HttpWithoutCertificate_HasNoPem()
    {
        var config = KbsConfigReader.FromCdhToml(Encoding.UTF8.GetBytes(CdhToml("http://127.0.0.1:8080")), "cdh.toml");

        Assert.Equal(new Uri("http://127.0.0.1:8080"), config!.Url);
        Assert.Null(config.CertificatePem);
    }

    [Fact]
    public void FromCdhToml_OfflineKbc_IsNoKbs() =>
        Assert.Null(KbsConfigReader.FromCdhToml(Encoding.UTF8.GetBytes(CdhToml("http://127.0.0.1:8080", name: "offline_fs_kbc")), "cdh.toml"));

    [Fact]
    public void FromCdhToml_NoKbcTable_IsNoKbs() =>
        Assert.Null(KbsConfigReader.FromCdhToml("socket = 'x'\n[image]\nurl = \"http://1.2.3.4:1\"\n"u8, "cdh.toml"));

    [Fact]
    public void FromAaToml_TokenConfigsKbs_ReadsUrlAndCert()
    {
        var toml = $"""
            [token_configs]
            [token_configs.coco_as]
            url = "http://as:50004"

            [token_configs.kbs]
            url = "https://kbs.example:8443"
            cert = '''
            {Pem}'''
            """;

        var config = KbsConfigReader.FromAaToml(Encoding.UTF8.GetBytes(toml), "aa.toml");

        Assert.Equal(new Uri("https://kbs.example:8443"), config!.Url);
        Assert.NotNull(config.CertificatePem);
    }

    [Fact]
    public void FromAaToml_OnlyCocoAs_IsNoKbs() =>
        Assert.Null(KbsConfigReader.FromAaToml("[token_configs.coco_as]\nurl = \"http://as:1\"\n"u8, "aa.toml"));

    [Theory]
    [InlineData("[kbc]\nname = \"cc_kbc\"\nurl = \"not a url\"\n", "kbc.url")]
    [InlineData("[kbc]\nname = \"cc_kbc\"\nurl = \"http://k:1\"\nkbs_cert = \"garbage\"\n", "kbc.kbs_cert")]
    [InlineData("[kbc\nname = ", "not valid TOML")]
    [InlineData("[kbc]\nurl = \"http://k:1/path\"\n", "kbc.url")]
    public void FromCdhToml_BadInput_ThrowsNamingTheSetting(string toml, string named)
    {
        var ex = Assert.Throws<AttesterConfigException>(() => KbsConfigReader.FromCdhToml(Encoding.UTF8.GetBytes(toml), "cdh.toml"));
        Assert.Contains(named, ex.Message);
    }

    [Fact]
    public void FromCdhToml_NotUtf8_Throws() =>
        Assert.Throws<AttesterConfigException>(() => KbsConfigReader.FromCdhToml(new byte[] { 0x5b, 0xff, 0xfe, 0x5d }, "cdh.toml"));

    [Fact]
    public void FromCdhToml_Oversized_Throws() =>
        Assert.Throws<AttesterConfigException>(() => KbsConfigReader.FromCdhToml(new byte[TomlStrings.MaxBytes + 1], "cdh.toml"));

    [Fact]
    public void Resolve_CdhFileWins_OverAaFile()
    {
        using var dir = new TempDirectory();
        var options = new AttesterOptions
        {
            CdhConfigPath = dir.File("cdh.toml", CdhToml("http://cdh:1")),
            AaConfigPath = dir.File("aa.toml", "[token_configs.kbs]\nurl = \"http://aa:2\"\n"),
        };

        Assert.Equal(new Uri("http://cdh:1"), KbsConfigReader.Resolve(options)!.Url);
    }

    [Fact]
    public void Resolve_OnlyAaFile_FallsBackToIt()
    {
        using var dir = new TempDirectory();
        var options = new AttesterOptions
        {
            CdhConfigPath = dir.Combine("missing.toml"),
            AaConfigPath = dir.File("aa.toml", "[token_configs.kbs]\nurl = \"http://aa:2\"\n"),
        };

        Assert.Equal(new Uri("http://aa:2"), KbsConfigReader.Resolve(options)!.Url);
    }

    [Fact]
    public void Resolve_CommandLine_OverridesFiles()
    {
        using var dir = new TempDirectory();
        var options = new AttesterOptions
        {
            KbsUrl = new Uri("https://flag:3"),
            KbsCertificateFile = dir.File("kbs.pem", Pem),
            CdhConfigPath = dir.File("cdh.toml", CdhToml("http://cdh:1")),
        };

        var config = KbsConfigReader.Resolve(options)!;

        Assert.Equal(new Uri("https://flag:3"), config.Url);
        Assert.Equal("command line", config.Source);
        Assert.NotNull(config.CertificatePem);
    }

    [Fact]
    public void Resolve_NothingConfigured_IsNull()
    {
        using var dir = new TempDirectory();
        Assert.Null(KbsConfigReader.Resolve(new AttesterOptions { CdhConfigPath = dir.Combine("a"), AaConfigPath = dir.Combine("b") }));
    }

    [Fact]
    public void Resolve_UnreadableCertFlag_Throws()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<AttesterConfigException>(() => KbsConfigReader.Resolve(new AttesterOptions { KbsUrl = new Uri("https://k:1"), KbsCertificateFile = dir.Combine("nope.pem") }));
        Assert.Contains("--kbs-cert", ex.Message);
    }
}
