using System.Text;
using PodVm.Attester.Cdh;

namespace PodVm.Attester.Tests.Cdh;

public sealed class HttpRequestParserTests
{
    private static HttpParseStatus Parse(string text, out HttpRequestHead? head, out string? error) =>
        HttpRequestParser.TryParse(Encoding.ASCII.GetBytes(text), out head, out error);

    [Fact]
    public void TryParse_CurlGet_IsComplete()
    {
        var status = Parse("GET /cdh/resource/default/key/1 HTTP/1.1\r\nHost: 127.0.0.1:8006\r\nUser-Agent: curl/8.5\r\nAccept: */*\r\n\r\n", out var head, out _);

        Assert.Equal(HttpParseStatus.Complete, status);
        Assert.Equal(new HttpRequestHead("GET", "/cdh/resource/default/key/1", "HTTP/1.1"), head);
    }

    [Fact]
    public void TryParse_Http10WithoutHeaders_IsComplete() =>
        Assert.Equal(HttpParseStatus.Complete, Parse("GET / HTTP/1.0\r\n\r\n", out _, out _));

    [Fact]
    public void TryParse_EveryPrefixOfAValidHead_IsIncomplete()
    {
        const string request = "GET /cdh/resource/a/b/c HTTP/1.1\r\nHost: x\r\n\r\n";
        for (var i = 0; i < request.Length; i++)
        {
            Assert.Equal(HttpParseStatus.Incomplete, Parse(request[..i], out _, out _));
        }
    }

    [Theory]
    [InlineData("GET /x\r\n\r\n")]
    [InlineData("GET  /x HTTP/1.1\r\n\r\n")]
    [InlineData("GET x HTTP/1.1\r\n\r\n")]
    [InlineData("GET http://evil/x HTTP/1.1\r\n\r\n")]
    [InlineData("GET /x HTTP/2.0\r\n\r\n")]
    [InlineData("G(T /x HTTP/1.1\r\n\r\n")]
    [InlineData("GET /x y HTTP/1.1\r\n\r\n")]
    [InlineData("GET /x HTTP/1.1\r\nNoColon\r\n\r\n")]
    [InlineData("GET /x HTTP/1.1\r\n : v\r\n\r\n")]
    [InlineData("GET /x HTTP/1.1\r\nBad Name: v\r\n\r\n")]
    [InlineData("GET /x HTTP/1.1\r\nContent-Length: 5\r\n\r\n")]
    [InlineData("GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("\r\n\r\n")]
    public void TryParse_BadHead_IsInvalid(string text) =>
        Assert.Equal(HttpParseStatus.Invalid, Parse(text, out _, out _));

    [Fact]
    public void TryParse_NonAsciiTarget_IsInvalid() =>
        Assert.Equal(HttpParseStatus.Invalid, HttpRequestParser.TryParse("GET /é HTTP/1.1\r\n\r\n"u8.ToArray(), out _, out _));

    [Fact]
    public void TryParse_ContentLengthZero_IsAccepted() =>
        Assert.Equal(HttpParseStatus.Complete, Parse("GET /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n", out _, out _));

    [Fact]
    public void TryParse_HeadOverLimitWithoutEnd_IsTooLarge() =>
        Assert.Equal(HttpParseStatus.TooLarge, Parse("GET /x HTTP/1.1\r\nX: " + new string('a', HttpRequestParser.MaxHeadBytes), out _, out _));

    [Fact]
    public void TryParse_CompleteHeadOverLimit_IsTooLarge() =>
        Assert.Equal(HttpParseStatus.TooLarge, Parse("GET /x HTTP/1.1\r\nX: " + new string('a', HttpRequestParser.MaxHeadBytes) + "\r\n\r\n", out _, out _));
}
