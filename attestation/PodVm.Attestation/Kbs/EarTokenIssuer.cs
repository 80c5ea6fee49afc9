using System.Buffers;
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

    private static readonly HashSet<string> StandardMembers = new(StringComparer.Ordinal) { "eat_profile", "iat", "exp", "iss", "ear.verifier-id" };
    private static readonly string VerifierBuild = "podvm-attestation " + typeof(EarTokenIssuer).Assembly.GetName().Version;
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
    /// <remarks>
    /// The payload is written straight from <paramref name="claims"/> (no copy of its tree): the standard members first,
    /// then the claims in their order, exactly as a JsonObject holding both would serialize. A claim named like a
    /// standard member replaces that member's value in place, as the JsonObject indexer does.
    /// </remarks>
    public string Issue(JsonObject claims)
    {
        var now = _timeProvider.GetUtcNow();
        var iat = now.ToUnixTimeSeconds();
        var exp = (now + Lifetime).ToUnixTimeSeconds();
        var payload = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(payload, new JsonWriterOptions { Encoder = JsonText.Compact.Encoder }))
        {
            writer.WriteStartObject();
            WriteStandard(writer, claims, "eat_profile", w => w.WriteStringValue(EatProfile));
            WriteStandard(writer, claims, "iat", w => w.WriteNumberValue(iat));
            WriteStandard(writer, claims, "exp", w => w.WriteNumberValue(exp));
            WriteStandard(writer, claims, "iss", w => w.WriteStringValue(Issuer));
            WriteStandard(writer, claims, "ear.verifier-id", w =>
            {
                w.WriteStartObject();
                w.WriteString("developer", "https://github.com/podvm");
                w.WriteString("build", VerifierBuild);
                w.WriteEndObject();
            });
            foreach (var (name, value) in claims)
            {
                if (!StandardMembers.Contains(name))
                {
                    writer.WritePropertyName(name);
                    WriteNode(writer, value);
                }
            }

            writer.WriteEndObject();
        }

        var signingInput = _headerB64 + "." + Base64UrlText.Encode(payload.WrittenSpan);
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

    private static void WriteStandard(Utf8JsonWriter writer, JsonObject claims, string name, Action<Utf8JsonWriter> standard)
    {
        writer.WritePropertyName(name);
        if (claims.TryGetPropertyValue(name, out var replaced))
        {
            WriteNode(writer, replaced);
        }
        else
        {
            standard(writer);
        }
    }

    private static void WriteNode(Utf8JsonWriter writer, JsonNode? node)
    {
        if (node is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            node.WriteTo(writer, JsonText.Compact);
        }
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
