using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using PodVm.Attester.Cdh;

namespace PodVm.Attester.Tests.Cdh;

public sealed class CdhServerTests : IAsyncLifetime
{
    private CdhServer? _server;

    private IPEndPoint Endpoint => _server!.LocalEndPoint;

    public ValueTask InitializeAsync()
    {
        _server = new CdhServer(new IPEndPoint(IPAddress.Loopback, 0), new CdhRequestHandler(null, "initdata configured no KBS (test)", null), 4, TimeProvider.System, NullLogger.Instance);
        _server.Start();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _server!.DisposeAsync();

    [Fact]
    public async Task Get_ResourceWithoutKbs_Answers503WithTheReason()
    {
        var (status, head, body) = await RawHttp.SendAsync(Endpoint, "GET /cdh/resource/default/key/1 HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(503, status);
        Assert.Contains("Content-Type: application/json", head);
        Assert.Contains("Connection: close", head);
        Assert.Contains("initdata configured no KBS", Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData("/cdh/resource/default/key")]
    [InlineData("/cdh/resource/default/key/1/2")]
    [InlineData("/cdh/resource/default/../1")]
    [InlineData("/cdh/resource/default//1")]
    [InlineData("/cdh/resource/./key/1")]
    [InlineData("/cdh/resource/default/key/%2e%2e")]
    [InlineData("/cdh/resource/default/key/a;b")]
    public async Task Get_BadResourcePath_Answers400(string path)
    {
        var (status, _, body) = await RawHttp.SendAsync(Endpoint, $"GET {path} HTTP/1.1\r\n\r\n");

        Assert.Equal(400, status);
        Assert.Contains("bad resource path", Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("HEAD")]
    public async Task OtherMethod_Answers405WithAllow(string method)
    {
        var (status, head, _) = await RawHttp.SendAsync(Endpoint, $"{method} /cdh/resource/default/key/1 HTTP/1.1\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal(405, status);
        Assert.Contains("Allow: GET", head);
    }

    [Fact]
    public async Task Get_UnknownEndpoint_Answers404() =>
        Assert.Equal(404, (await RawHttp.SendAsync(Endpoint, "GET /metrics HTTP/1.1\r\n\r\n")).Status);

    [Theory]
    [InlineData("garbage\r\n\r\n")]
    [InlineData("GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")]
    public async Task MalformedRequest_Answers400(string request) =>
        Assert.Equal(400, (await RawHttp.SendAsync(Endpoint, request)).Status);

    [Fact]
    public async Task OversizedHead_Answers431()
    {
        var (status, _, _) = await RawHttp.SendAsync(Endpoint, "GET /x HTTP/1.1\r\nX: " + new string('a', 10_000) + "\r\n\r\n", closeSend: false);

        Assert.Equal(431, status);
    }

    [Fact]
    public async Task TruncatedHead_Answers400()
    {
        var (status, _, _) = await RawHttp.SendAsync(Endpoint, "GET /cdh/resource/a/b/c HTTP/1.1\r\nHost:");

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Get_EvidenceWithoutTee_Answers503() =>
        Assert.Equal(503, (await RawHttp.SendAsync(Endpoint, "GET /aa/evidence?runtime_data=abc HTTP/1.1\r\n\r\n")).Status);

    [Fact]
    public async Task ManyConcurrentClients_AreAllAnswered()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => RawHttp.SendAsync(Endpoint, "GET /cdh/resource/a/b/c HTTP/1.1\r\n\r\n"))).DefaultTimeout();

        Assert.All(answers, a => Assert.Equal(503, a.Status));
    }

    [Theory]
    [InlineData("default/key/1", true)]
    [InlineData("my-repo/tls.key/v_2", true)]
    [InlineData("a/b", false)]
    [InlineData("a/b/..", false)]
    [InlineData("a/ /c", false)]
    [InlineData("a/b/c/", false)]
    public void IsValidResourcePath_Rules(string path, bool valid) =>
        Assert.Equal(valid, CdhRequestHandler.IsValidResourcePath(path));
}
