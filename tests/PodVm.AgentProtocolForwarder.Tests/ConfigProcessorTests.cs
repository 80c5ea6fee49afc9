using System.Net;
using System.Security.Cryptography;
using System.Text;
using PodVm.AgentProtocolForwarder.ConfigProcessing;
using PodVm.PodVmConfig;

namespace PodVm.AgentProtocolForwarder.Tests;

public sealed class ConfigProcessorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("podvm-cp-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ConfigProcessorOptions Options => new() { OutputRoot = _root, TpmDevice = Path.Combine(_root, "no-tpm") };

    [Fact]
    public void Process_GoodDocument_WritesWhitelistedFilesAndDigest()
    {
        var toml = Encoding.UTF8.GetBytes("version = \"0.1.0\"\nalgorithm = \"sha256\"\n[data]\n\"policy.json\" = '{\"version\":\"1\"}'\n\"evil\" = 'x'\n");
        var doc = PodVmUserData.Build(new ForwarderConfig { PodName = "p" }, toml, tlsClientCaPem: "CA");

        var result = new ConfigProcessor(Options).Process(Encoding.UTF8.GetBytes(CloudConfig.Write(doc)));

        Assert.True(File.Exists(Path.Combine(_root, "run/peerpod/apf.json")));
        Assert.Equal("CA", File.ReadAllText(Path.Combine(_root, "run/peerpod/tls/ca.crt")));
        Assert.Equal("{\"version\":\"1\"}", File.ReadAllText(Path.Combine(_root, "run/peerpod/policy.json")));
        Assert.False(File.Exists(Path.Combine(_root, "run/peerpod/evil")));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(toml)), File.ReadAllText(Path.Combine(_root, "run/peerpod/initdata.digest")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root, "run/peerpod/apf.json")));
        Assert.False(result.PcrExtended);
    }

    [Fact]
    public void Process_BadInitData_WritesNothing()
    {
        var doc = new UserDataDocument([
            new UserDataFile(PodVmPaths.ForwarderConfig, new ForwarderConfig().ToJson()),
            new UserDataFile(PodVmPaths.InitData, "bm90IGd6aXA="u8.ToArray()),
        ]);

        var ex = Assert.Throws<UserDataException>(() => new ConfigProcessor(Options).Process(Encoding.UTF8.GetBytes(CloudConfig.Write(doc))));

        Assert.Equal(UserDataErrorReason.InvalidContent, ex.Reason);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public void Process_NoForwarderConfig_Refused()
    {
        var doc = new UserDataDocument([new UserDataFile(PodVmPaths.RegistryAuth, "{}"u8.ToArray())]);

        Assert.Throws<UserDataException>(() => new ConfigProcessor(Options).Process(Encoding.UTF8.GetBytes(CloudConfig.Write(doc))));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Fact]
    public void Process_ApfNotJson_Refused()
    {
        var doc = new UserDataDocument([new UserDataFile(PodVmPaths.ForwarderConfig, "{not json"u8.ToArray())]);

        Assert.Equal(UserDataErrorReason.InvalidContent,
            Assert.Throws<UserDataException>(() => new ConfigProcessor(Options).Process(Encoding.UTF8.GetBytes(CloudConfig.Write(doc)))).Reason);
    }

    [Fact]
    public void BuildExtendCommand_Pcr8_MatchesTpm2Layout()
    {
        var digest = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

        var cmd = TpmPcrExtender.BuildExtendCommand(8, digest);

        Assert.Equal("80020000004100000182" + "00000008" + "00000009" + "40000009" + "0000" + "00" + "0000" + "00000001" + "000b"
            + Convert.ToHexStringLower(digest), Convert.ToHexStringLower(cmd));
    }

    [Fact]
    public async Task FetchAsync_Aws_UsesImdsV2TokenThenUserData()
    {
        var handler = new FakeHandler(request => request.RequestUri!.AbsolutePath switch
        {
            "/latest/api/token" when request.Method == HttpMethod.Put && request.Headers.Contains("X-aws-ec2-metadata-token-ttl-seconds")
                => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("TOKEN") },
            "/latest/user-data" when request.Headers.TryGetValues("X-aws-ec2-metadata-token", out var t) && t.Single() == "TOKEN"
                => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("#cloud-config\n") },
            _ => new HttpResponseMessage(HttpStatusCode.Forbidden),
        });
        var source = new UserDataSource(new ConfigProcessorOptions { Source = "aws", AwsEndpoint = new Uri("http://imds.test") }, handler);

        var data = await source.FetchAsync(CancellationToken.None).DefaultTimeout();

        Assert.Equal("#cloud-config\n", Encoding.UTF8.GetString(data));
    }

    [Fact]
    public async Task FetchAsync_Azure_SendsMetadataHeaderAndDecodesBase64()
    {
        var handler = new FakeHandler(request =>
            request.RequestUri!.PathAndQuery == "/metadata/instance/compute/userData?api-version=2021-01-01&format=text"
            && request.Headers.TryGetValues("Metadata", out var m) && m.Single() == "true"
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Convert.ToBase64String("#cloud-config\n"u8)) }
                : new HttpResponseMessage(HttpStatusCode.BadRequest));
        var source = new UserDataSource(new ConfigProcessorOptions { Source = "azure", AzureEndpoint = new Uri("http://imds.test") }, handler);

        Assert.Equal("#cloud-config\n", Encoding.UTF8.GetString(await source.FetchAsync(CancellationToken.None).DefaultTimeout()));
    }

    [Fact]
    public async Task FetchAsync_LocalMissing_Unavailable()
    {
        var source = new UserDataSource(new ConfigProcessorOptions { Source = "local", LocalPath = Path.Combine(_root, "none") });

        var ex = await Assert.ThrowsAsync<UserDataException>(() => source.FetchAsync(CancellationToken.None)).DefaultTimeout();

        Assert.Equal(UserDataErrorReason.Unavailable, ex.Reason);
    }

    [Fact]
    public async Task FetchAsync_LocalFileThatReportsSizeZero_ReadToItsEnd()
    {
        // QEMU's fw_cfg files in sysfs report 0 bytes; a named pipe does too, and gives its content only as it is read.
        var content = Encoding.UTF8.GetBytes("#cloud-config\n" + new string('x', 40_000));
        var fifo = MakeFifo();
        var writer = WriteAndCloseAsync(fifo, content);
        var source = new UserDataSource(new ConfigProcessorOptions { Source = "local", LocalPath = fifo });

        Assert.Equal(content, await Task.Run(() => source.FetchAsync(CancellationToken.None)).DefaultTimeout());
        await writer.DefaultTimeout();
    }

    [Fact]
    public async Task FetchAsync_LocalFileThatReportsSizeZero_RefusedOnceOverTheLimit()
    {
        var fifo = MakeFifo();
        var writer = WriteAndCloseAsync(fifo, new byte[100_000]);
        var limits = new UserDataLimits { MaxDocumentBytes = 4096 };
        var source = new UserDataSource(new ConfigProcessorOptions { Source = "local", LocalPath = fifo, Limits = limits });

        var ex = await Assert.ThrowsAsync<UserDataException>(() => Task.Run(() => source.FetchAsync(CancellationToken.None))).DefaultTimeout();

        Assert.Equal(UserDataErrorReason.TooLarge, ex.Reason);
        Assert.Contains("8192 bytes", ex.Message, StringComparison.Ordinal);
        await writer.DefaultTimeout();
    }

    private string MakeFifo()
    {
        var path = Path.Combine(_root, "userdata.fifo");
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", ["-m", "0600", path]);
        Assert.True(mkfifo.WaitForExit(10_000) && mkfifo.ExitCode == 0, "mkfifo failed");
        return path;
    }

    /// <summary>Writes to the pipe once a reader opens it; a reader that stops early (EPIPE) ends the write.</summary>
    private static Task WriteAndCloseAsync(string fifo, byte[] content) => Task.Run(() =>
    {
        try
        {
            using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            stream.Write(content);
        }
        catch (IOException)
        {
        }
    });

    private sealed class FakeHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(respond(request));
    }
}
