using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PodVm.Attestation.Kbs;

namespace PodVm.Kbs;

/// <summary>
/// Authenticates the admin API: <c>Authorization: Bearer &lt;JWT&gt;</c> signed ES256 or ES384 by one of the configured
/// admin keys, with an exp no more than an hour ahead (Trustee authenticates its admin with a signed JWT too).
/// </summary>
public sealed class AdminAuthenticator(IReadOnlyList<ECDsa> adminKeys, TimeProvider timeProvider)
{
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromHours(1);

    public bool Enabled => adminKeys.Count > 0;

    /// <summary>Throws <see cref="KbsException"/> (AdminAuth) unless the header carries a valid admin JWT.</summary>
    public void Authenticate(string? authorization, string endpoint)
    {
        if (!Enabled)
        {
            throw new KbsException(KbsErrorKind.AdminAuth, $"{endpoint}: no admin keys are configured");
        }

        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            throw new KbsException(KbsErrorKind.AdminAuth, $"{endpoint}: missing Bearer token");
        }

        var parts = authorization["Bearer ".Length..].Trim().Split('.');
        if (parts.Length != 3 || parts[0].Length > 4096 || parts[1].Length > 4096)
        {
            throw new KbsException(KbsErrorKind.AdminAuth, $"{endpoint}: malformed token");
        }

        JsonObject header;
        JsonObject payload;
        try
        {
            header = JsonNode.Parse(Base64UrlText.Decode(parts[0], KbsErrorKind.AdminAuth, "header")) as JsonObject ?? throw new KbsException(KbsErrorKind.AdminAuth, $"{endpoint}: malformed token");
            payload = JsonNode.Parse(Base64UrlText.Decode(parts[1], KbsErrorKind.AdminAuth, "payload")) as JsonObject ?? throw new KbsException(KbsErrorKind.AdminAuth, $"{endpoint}: malformed token");
        }
        catch (JsonException ex)
        {
            throw new KbsException(KbsErrorKind.AdminAuth, $"{endpoint}: malformed token", ex);
        }

        var hash = (string?)header["alg"] switch
        {
            "ES256" => HashAlgorithmName.SHA256,
            "ES384" => HashAlgorithmName.SHA384,
            _ => throw new KbsException(KbsErrorKind.AdminAuth, $"{endpoint}: token alg must be ES256 or ES384"),
        };
        var signature = Base64UrlText.Decode(parts[2], KbsErrorKind.AdminAuth, "signature");
        var input = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!adminKeys.Any(k => k.VerifyData(input, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)))
        {
            throw new KbsException(KbsErrorKind.AdminAuth, $"{endpoint}: token signature does not verify with an admin key");
        }

        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var exp = payload["exp"] is JsonValue e && e.TryGetValue<long>(out var x) ? x : 0;
        if (exp <= now || exp > now + (long)MaxTokenLifetime.TotalSeconds)
        {
            throw new KbsException(KbsErrorKind.AdminAuth, $"{endpoint}: token expired or valid for more than {MaxTokenLifetime}");
        }
    }

    /// <summary>Creates an admin token (used by the CLI and tests).</summary>
    public static string CreateToken(ECDsa adminKey, DateTimeOffset now, TimeSpan lifetime)
    {
        var (alg, hash) = adminKey.KeySize == 384 ? ("ES384", HashAlgorithmName.SHA384) : ("ES256", HashAlgorithmName.SHA256);
        var header = Base64UrlText.Encode(Encoding.UTF8.GetBytes($$"""{"alg":"{{alg}}","typ":"JWT"}"""));
        var payload = Base64UrlText.Encode(Encoding.UTF8.GetBytes(new JsonObject
        {
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
            ["sub"] = "podvm-admin",
        }.ToJsonString()));
        var signature = adminKey.SignData(Encoding.ASCII.GetBytes(header + "." + payload), hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return header + "." + payload + "." + Base64UrlText.Encode(signature);
    }
}
