using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using PodVm.Attestation.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>The verifier reads the token's three segments in place (no split copies): the same verdicts as before.</summary>
public sealed class EarTokenVerifierTests
{
    [Fact]
    public void Verify_IssuedToken_ReturnsItsClaims()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var token = new EarTokenIssuer(key, time, TimeSpan.FromMinutes(5)).Issue(new JsonObject { ["submods"] = new JsonObject { ["cpu0"] = new JsonObject { ["ear.status"] = "affirming" } } });

        var claims = new EarTokenVerifier([key], time).Verify(token);

        Assert.Equal("affirming", (string?)claims["submods"]!["cpu0"]!["ear.status"]);
        Assert.Equal(time.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds(), (long)claims["exp"]!);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("...")]
    [InlineData("h.p.s.")]
    [InlineData(".h.p.s")]
    public void Verify_NotThreeSegments_Refused(string shape)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var verifier = new EarTokenVerifier([key], TimeProvider.System);

        var ex = Assert.Throws<KbsException>(() => verifier.Verify(shape));

        Assert.Equal(KbsErrorKind.TokenVerifierError, ex.Kind);
        Assert.Equal(shape.Length == 0 ? "token is empty or too large" : "token is not a JWS compact serialization", ex.Message);
    }

    [Fact]
    public void Verify_TamperedSegments_RefusedWithTheSegmentsReason()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var token = new EarTokenIssuer(key, time, TimeSpan.FromMinutes(5)).Issue(new JsonObject { ["x"] = 1 });
        var verifier = new EarTokenVerifier([key], time);
        var parts = token.Split('.');

        string Reason(string t) => Assert.Throws<KbsException>(() => verifier.Verify(t)).Message;

        Assert.Equal("token header is not base64url", Reason($"!{parts[0]}.{parts[1]}.{parts[2]}"));
        Assert.Equal("token payload is not base64url", Reason($"{parts[0]}.!{parts[1]}.{parts[2]}"));
        Assert.Equal("token signature is not base64url", Reason($"{parts[0]}.{parts[1]}.!{parts[2]}"));
        Assert.Equal("token is not JSON", Reason($"{parts[0]}.{Base64UrlText.Encode("{"u8)}.{parts[2]}"));
        Assert.Equal("token signature does not verify", Reason($"{parts[0]}.{Base64UrlText.Encode("{\"x\":2,\"exp\":99999999999}"u8)}.{parts[2]}"));
        Assert.Equal("token signature does not verify", Reason($"{parts[0]}.{parts[1]}.{Base64UrlText.Encode(new byte[64])}"));
        Assert.Equal("token signature does not verify", Reason($"{parts[0]}.{parts[1]}."));
    }
}
