using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using PodVm.PodVmConfig;

namespace PodVm.AgentProtocolForwarder.Tests;

public sealed class InitDataCodecTests
{
    private const string Toml = "algorithm = \"sha384\"\nversion = \"0.1.0\"\n\n[data]\n\"aa.toml\" = '''\n[token_configs.kbs]\nurl = \"http://kbs\"\n'''\n\"policy.json\" = \"\"\"{\"version\":\"1\"}\"\"\"\n";

    [Fact]
    public void Decode_EncodedToml_ParsesAndDigestsRawBytes()
    {
        var raw = Encoding.UTF8.GetBytes(Toml);

        var initData = InitDataCodec.Decode(InitDataCodec.Encode(raw));

        Assert.Equal("0.1.0", initData.Version);
        Assert.Equal("sha384", initData.Algorithm);
        Assert.Equal("[token_configs.kbs]\nurl = \"http://kbs\"\n", initData.Data["aa.toml"]);
        Assert.Equal("{\"version\":\"1\"}", initData.Data["policy.json"]);
        Assert.Equal(SHA384.HashData(raw), initData.Digest());
        Assert.Equal(SHA384.HashData(raw)[..32], initData.Digest32());
    }

    [Theory]
    [InlineData("sha256", 32)]
    [InlineData("sha512", 64)]
    [InlineData("SHA-384", 48)]
    public void ComputeDigest_Algorithms_Lengths(string algorithm, int length) =>
        Assert.Equal(length, InitDataCodec.ComputeDigest("x"u8, algorithm).Length);

    [Theory]
    [InlineData("version = \"0.1.0\"\nalgorithm = \"md5\"\n", "md5")]
    [InlineData("algorithm = \"sha256\"\n", "version")]
    [InlineData("version = \"0.1.0\"\n", "algorithm")]
    [InlineData("version = \"0.1.0\"\nalgorithm = \"sha256\"\n[other]\nx = \"y\"\n", "other")]
    [InlineData("version = 1\nalgorithm = \"sha256\"\n", "string")]
    [InlineData("version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data\n", "TOML")]
    public void Parse_Bad_ThrowsNamingProblem(string toml, string expected)
    {
        var ex = Assert.Throws<InitDataException>(() => InitDataCodec.Parse(Encoding.UTF8.GetBytes(toml)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NotBase64_Throws() =>
        Assert.Contains("base64", Assert.Throws<InitDataException>(() => InitDataCodec.Decode("***")).Message, StringComparison.Ordinal);

    [Fact]
    public void Decode_NotGzip_Throws() =>
        Assert.Contains("gzip", Assert.Throws<InitDataException>(() => InitDataCodec.Decode(Convert.ToBase64String("plain"u8))).Message, StringComparison.Ordinal);

    [Fact]
    public void Decode_Bomb_Throws()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write(new byte[InitDataCodec.MaxTomlBytes + 1]);
        }

        Assert.Throws<InitDataException>(() => InitDataCodec.Decode(Convert.ToBase64String(ms.ToArray())));
    }
}
