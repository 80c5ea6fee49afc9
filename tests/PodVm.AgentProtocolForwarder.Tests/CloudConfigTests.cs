using System.IO.Compression;
using System.Text;
using PodVm.PodVmConfig;

namespace PodVm.AgentProtocolForwarder.Tests;

public sealed class CloudConfigTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Parse_WrittenDocument_RoundTrips()
    {
        var apf = new ForwarderConfig { PodName = "p", PodNamespace = "ns", TlsClientCa = "CA" };
        var doc = PodVmUserData.Build(apf, Utf8("version = \"0.1.0\"\nalgorithm = \"sha384\"\n[data]\n\"a\" = 'b'\n"), "{\"auths\":{}}");

        var parsed = CloudConfig.Parse(Utf8(CloudConfig.Write(doc)));

        Assert.Equal(doc.Files.Select(f => f.Path), parsed.Files.Select(f => f.Path));
        Assert.Equal(apf, ForwarderConfig.FromJson(parsed.Find(PodVmPaths.ForwarderConfig)!.Content.Span));
        Assert.Equal("0600", parsed.Find(PodVmPaths.ForwarderConfig)!.Permissions);
    }

    [Fact]
    public void Parse_UpstreamBlockScalar_ReadsContent()
    {
        var text = "#cloud-config\nwrite_files:\n  - path: /run/peerpod/apf.json\n    content: |\n      {\"pod-name\": \"x\",\n       \"pod-namespace\": \"y\"}\n  - path: /run/peerpod/auth.json\n    content: \"{}\"\n";

        var doc = CloudConfig.Parse(Utf8(text));

        Assert.Equal("{\"pod-name\": \"x\",\n \"pod-namespace\": \"y\"}\n", Encoding.UTF8.GetString(doc.Files[0].Content.Span));
        Assert.Equal("{}", Encoding.UTF8.GetString(doc.Files[1].Content.Span));
    }

    [Theory]
    [InlineData("write_files: []\n", UserDataErrorReason.Malformed)]
    [InlineData("#cloud-config\nruncmd:\n- rm -rf /\n", UserDataErrorReason.UnknownKey)]
    [InlineData("#cloud-config\nwrite_files:\n- path: /etc/shadow\n  content: x\n", UserDataErrorReason.PathNotAllowed)]
    [InlineData("#cloud-config\nwrite_files:\n- path: /run/peerpod/../../etc/passwd\n  content: x\n", UserDataErrorReason.PathNotAllowed)]
    [InlineData("#cloud-config\nwrite_files:\n- path: /run/peerpod/apf.json\n  encoding: b64\n  content: '!!notbase64'\n", UserDataErrorReason.BadEncoding)]
    [InlineData("#cloud-config\nwrite_files:\n- path: /run/peerpod/apf.json\n  encoding: rot13\n  content: x\n", UserDataErrorReason.BadEncoding)]
    [InlineData("#cloud-config\nwrite_files:\n- path: /run/peerpod/apf.json\n  content: x\n- path: /run/peerpod/apf.json\n  content: y\n", UserDataErrorReason.Duplicate)]
    [InlineData("#cloud-config\nwrite_files:\n- path: /run/peerpod/apf.json\n  color: red\n", UserDataErrorReason.UnknownKey)]
    [InlineData("#cloud-config\nwrite_files:\n- path: /run/peerpod/apf.json\n  owner: nobody\n  content: x\n", UserDataErrorReason.InvalidContent)]
    [InlineData("#cloud-config\nwrite_files:\n- path: /run/peerpod/apf.json\n  content: 'unterminated\n", UserDataErrorReason.Malformed)]
    [InlineData("#cloud-config\nwrite_files:\n- content: x\n", UserDataErrorReason.Malformed)]
    [InlineData("#cloud-config\nwrite_files:\n\t- path: x\n", UserDataErrorReason.Malformed)]
    public void Parse_BadDocument_ThrowsWithReason(string text, UserDataErrorReason reason)
    {
        var ex = Assert.Throws<UserDataException>(() => CloudConfig.Parse(Utf8(text)));

        Assert.Equal(reason, ex.Reason);
    }

    [Fact]
    public void Parse_Oversized_TooLarge()
    {
        var text = "#cloud-config\nwrite_files:\n- path: /run/peerpod/apf.json\n  content: " + new string('a', 70_000) + "\n";

        Assert.Equal(UserDataErrorReason.TooLarge, Assert.Throws<UserDataException>(() => CloudConfig.Parse(Utf8(text))).Reason);
    }

    [Fact]
    public void Parse_GzipBomb_TooLargeNotExhausted()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write(new byte[10 * 1024 * 1024]);
        }

        var text = "#cloud-config\nwrite_files:\n- path: /run/peerpod/apf.json\n  encoding: gz+b64\n  content: " + Convert.ToBase64String(ms.ToArray()) + "\n";

        Assert.Equal(UserDataErrorReason.TooLarge, Assert.Throws<UserDataException>(() => CloudConfig.Parse(Utf8(text))).Reason);
    }

    [Fact]
    public void Parse_NotUtf8_Malformed()
    {
        Assert.Equal(UserDataErrorReason.Malformed, Assert.Throws<UserDataException>(() => CloudConfig.Parse(new byte[] { 0xff, 0xfe, 0x00 })).Reason);
    }

    [Fact]
    public void Parse_Truncated_StillValidatesWhatIsThere()
    {
        var full = CloudConfig.Write(PodVmUserData.Build(new ForwarderConfig { PodName = "p" }));
        var truncated = full[..(full.IndexOf("content: ", StringComparison.Ordinal) + 12)];

        Assert.Throws<UserDataException>(() =>
        {
            var doc = CloudConfig.Parse(Utf8(truncated));
            ForwarderConfig.FromJson(doc.Files[0].Content.Span);
        });
    }
}
