using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.Kbs;

/// <summary>
/// Verifies EAR tokens presented as a session's token or as a Bearer: ES256, the header jwk must be one of the
/// trusted keys (this KBS's signing key and any configured attestation-service keys), and exp must be in the future.
/// </summary>
public sealed class EarTokenVerifier
{
    /// <summary>Tokens larger than this are refused before parsing.</summary>
    public const int MaxTokenLength = 64 * 1024;

    private readonly List<(byte[] X, byte[] Y, ECDsa Key)> _trusted = [];
    private readonly TimeProvider _timeProvider;

    public EarTokenVerifier(IEnumerable<ECDsa> trustedKeys, TimeProvider timeProvider)
    {
        foreach (var key in trustedKeys)
        {
            var p = key.ExportParameters(false);
            _trusted.Add((p.Q.X!, p.Q.Y!, key));
        }

        _timeProvider = timeProvider;
    }

    /// <summary>Allowed difference between our clock and the issuer's for iat/exp.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    public JsonObject Verify(string token)
    {
        if (token.Length is 0 or > MaxTokenLength)
        {
            throw new KbsException(KbsErrorKind.TokenVerifierError, "token is empty or too large");
        }

        // Exactly three segments (two dots), read in place: the token (~4 KB with SNP claims) is not split into copies.
        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var secondDot = firstDot < 0 ? -1 : token.IndexOf('.', firstDot + 1);
        if (secondDot < 0 || token.IndexOf('.', secondDot + 1) >= 0)
        {
            throw new KbsException(KbsErrorKind.TokenVerifierError, "token is not a JWS compact serialization");
        }

        var text = token.AsSpan();
        JsonObject header;
        JsonObject payload;
        try
        {
            header = JsonNode.Parse(Base64UrlText.Decode(text[..firstDot], KbsErrorKind.TokenVerifierError, "token header")) as JsonObject
                ?? throw new KbsException(KbsErrorKind.TokenVerifierError, "token header is not an object");
            payload = JsonNode.Parse(Base64UrlText.Decode(text[(firstDot + 1)..secondDot], KbsErrorKind.TokenVerifierError, "token payload")) as JsonObject
                ?? throw new KbsException(KbsErrorKind.TokenVerifierError, "token payload is not an object");
        }
        catch (JsonException ex)
        {
            throw new KbsException(KbsErrorKind.TokenVerifierError, "token is not JSON", ex);
        }

        if (!string.Equals((string?)header["alg"], "ES256", StringComparison.Ordinal))
        {
            throw new KbsException(KbsErrorKind.TokenVerifierError, "token alg must be ES256");
        }

        if (header["jwk"] is not JsonObject jwk || !string.Equals((string?)jwk["crv"], "P-256", StringComparison.Ordinal))
        {
            throw new KbsException(KbsErrorKind.TokenVerifierError, "token header has no P-256 jwk");
        }

        var x = Base64UrlText.Decode((string?)jwk["x"], KbsErrorKind.TokenVerifierError, "jwk x");
        var y = Base64UrlText.Decode((string?)jwk["y"], KbsErrorKind.TokenVerifierError, "jwk y");
        var key = _trusted.FirstOrDefault(t => t.X.AsSpan().SequenceEqual(x) && t.Y.AsSpan().SequenceEqual(y)).Key
            ?? throw new KbsException(KbsErrorKind.TokenVerifierError, "token signing key is not trusted");

        var signature = Base64UrlText.Decode(text[(secondDot + 1)..], KbsErrorKind.TokenVerifierError, "token signature");
        var signingInput = Encoding.ASCII.GetBytes(token, 0, secondDot);
        if (signature.Length != 64 || !key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw new KbsException(KbsErrorKind.TokenVerifierError, "token signature does not verify");
        }

        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var exp = payload["exp"] is JsonValue e && e.TryGetValue<long>(out var expValue) ? expValue : 0;
        if (exp + (long)ClockSkew.TotalSeconds <= now)
        {
            throw new KbsException(KbsErrorKind.TokenVerifierError, "token expired");
        }

        if (payload["iat"] is JsonValue i && i.TryGetValue<long>(out var iat) && iat - (long)ClockSkew.TotalSeconds > now)
        {
            throw new KbsException(KbsErrorKind.TokenVerifierError, "token issued in the future");
        }

        return payload;
    }
}
