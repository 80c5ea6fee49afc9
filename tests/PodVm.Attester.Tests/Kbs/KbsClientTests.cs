using System.Buffers.Text;
using System.Text;
using PodVm.Attester.Kbs;

namespace PodVm.Attester.Tests.Kbs;

public sealed class KbsClientTests
{
    private static string Jwt(string claims) =>
        "eyJhbGciOiJFUzI1NiJ9." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims)) + ".c2ln";

    [Fact]
    public void TokenExpiry_ExpClaim_IsRead() =>
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), KbsClient.TokenExpiry(Jwt("""{"exp":1800000000,"iat":1}""")));

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("a.!!!.c")]
    public void TokenExpiry_Unreadable_IsNull(string token) => Assert.Null(KbsClient.TokenExpiry(token));

    [Fact]
    public void TokenExpiry_NoExp_IsNull() => Assert.Null(KbsClient.TokenExpiry(Jwt("""{"iat":1}""")));

    [Fact]
    public void SessionCookie_KbsSetCookie_IsReducedToNameAndValue()
    {
        using var response = new HttpResponseMessage();
        response.Headers.Add("Set-Cookie", "other=1; Path=/");
        response.Headers.Add("Set-Cookie", "kbs-session-id=AbC_123; Expires=Fri, 27 Nov 2026 13:00:00 GMT; Path=/kbs/v0; HttpOnly");

        Assert.Equal("kbs-session-id=AbC_123", KbsClient.SessionCookie(response));
    }

    [Fact]
    public void SessionCookie_Missing_IsNull()
    {
        using var response = new HttpResponseMessage();
        response.Headers.Add("Set-Cookie", "kbs-session-id=; Path=/");

        Assert.Null(KbsClient.SessionCookie(response));
    }
}
