using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.Kbs;

/// <summary>
/// Signs EAR attestation tokens as Trustee does: JWT ES256 with the P-256 public key in the header "jwk"
/// (<c>{"alg":"ES256","typ":"JWT","jwk":{"kty":"EC","crv":"P-256","alg":"ES256","x","y"}}</c>).
/// </summary>
public sealed class EarTokenIssuer
{
    public const string EatProfile = "tag:github.com,2024:confidential-containers/Trustee";
    public const string Issuer = "CoCo-Attestation-Service";

    private readonly ECDsa _key;
    private readonly TimeProvider _timeProvider;
    private readonly string _headerB64;

    public EarTokenIssuer(ECDsa signingKey, TimeProvider timeProvider, TimeSpan lifetime)
    {
        if (signingKey.KeySize != 256)
        {
            throw new ArgumentException("EAR tokens are signed with a P-256 key (ES256)", nameof(signingKey));
        }

        _key = signingKey;
        _timeProvider = timeProvider;
        Lifetime = lifetime;
        PublicJwk = PublicKeyJwk(signingKey);
        var header = new JsonObject { ["alg"] = "ES256", ["typ"] = "JWT", ["jwk"] = PublicJwk.DeepClone() };
        _headerB64 = Base64UrlText.Encode(Encoding.UTF8.GetBytes(header.ToJsonString(JsonText.Compact)));
    }

    public TimeSpan Lifetime { get; }

    /// <summary>The verification key as a JWK, as it appears in every token header.</summary>
    public JsonObject PublicJwk { get; }

    /// <summary>Adds eat_profile, iat, exp, iss and ear.verifier-id to <paramref name="claims"/> (which holds submods) and signs.</summary>
    public string Issue(JsonObject claims)
    {
        var now = _timeProvider.GetUtcNow();
        var payload = new JsonObject
        {
            ["eat_profile"] = EatProfile,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
            ["iss"] = Issuer,
            ["ear.verifier-id"] = new JsonObject
            {
                ["developer"] = "https://github.com/podvm",
                ["build"] = "podvm-attestation " + typeof(EarTokenIssuer).Assembly.GetName().Version,
            },
        };
        foreach (var (name, value) in claims)
        {
            payload[name] = value?.DeepClone();
        }

        var signingInput = _headerB64 + "." + Base64UrlText.Encode(Encoding.UTF8.GetBytes(payload.ToJsonString(JsonText.Compact)));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64UrlText.Encode(signature);
    }

    public static JsonObject PublicKeyJwk(ECDsa key)
    {
        var p = key.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["alg"] = "ES256",
            ["x"] = Base64UrlText.Encode(p.Q.X),
            ["y"] = Base64UrlText.Encode(p.Q.Y),
        };
    }

    /// <summary>Reads a JWT's payload without verifying it (for diagnostics of already verified tokens only).</summary>
    public static JsonObject ReadUnverifiedPayload(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw new KbsException(KbsErrorKind.TokenVerifierError, "token is not a JWS compact serialization");
        }

        try
        {
            return JsonNode.Parse(Base64UrlText.Decode(parts[1], KbsErrorKind.TokenVerifierError, "token payload")) as JsonObject
                ?? throw new KbsException(KbsErrorKind.TokenVerifierError, "token payload is not an object");
        }
        catch (JsonException ex)
        {
            throw new KbsException(KbsErrorKind.TokenVerifierError, "token payload is not JSON", ex);
        }
    }
}
