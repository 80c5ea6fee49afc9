using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.Kbs;

/// <summary>
/// The guest's ephemeral key from runtime-data "tee-pubkey", validated and rebuilt from exactly the members Trustee
/// keeps (EC: kty, crv, alg, x, y; RSA: kty, alg, n, e), which is also what the binding hashes.
/// </summary>
public sealed class TeePublicKey
{
    private TeePublicKey(TeeKeyKind kind, JsonObject jwk, ECParameters? ec, RSAParameters? rsa)
    {
        Kind = kind;
        Jwk = jwk;
        EcParameters = ec;
        RsaParameters = rsa;
    }

    public TeeKeyKind Kind { get; }

    /// <summary>The canonical JWK (only the members above).</summary>
    public JsonObject Jwk { get; }

    public ECParameters? EcParameters { get; }

    public RSAParameters? RsaParameters { get; }

    public static TeePublicKey Parse(JsonNode? node) => Parse(node, checkPoint: true);

    /// <summary>
    /// As <see cref="Parse(JsonNode?)"/>; with <paramref name="checkPoint"/> false an EC point is not checked here to be
    /// on its curve. Only for a key about to be used by <see cref="KbsJwe.Encrypt"/>, whose import of the same point
    /// (OpenSSL) makes the same check and refuses the key with the same error.
    /// </summary>
    public static TeePublicKey Parse(JsonNode? node, bool checkPoint)
    {
        if (node is not JsonObject jwk)
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, "tee-pubkey must be a JWK object");
        }

        var kty = Str(jwk, "kty");
        var alg = Str(jwk, "alg");
        switch (kty)
        {
            case "EC":
                {
                    if (alg is not null && alg != "ECDH-ES+A256KW")
                    {
                        throw new KbsException(KbsErrorKind.RcarAttestFailed, $"unsupported EC tee-pubkey alg '{alg}'");
                    }

                    var crv = Str(jwk, "crv");
                    var (curve, size) = crv switch
                    {
                        "P-256" => (ECCurve.NamedCurves.nistP256, 32),
                        "P-384" => (ECCurve.NamedCurves.nistP384, 48),
                        "P-521" => (ECCurve.NamedCurves.nistP521, 66),
                        _ => throw new KbsException(KbsErrorKind.RcarAttestFailed, $"unsupported tee-pubkey curve '{crv}'"),
                    };
                    var x = Base64UrlText.Decode(Str(jwk, "x"), KbsErrorKind.RcarAttestFailed, "tee-pubkey x");
                    var y = Base64UrlText.Decode(Str(jwk, "y"), KbsErrorKind.RcarAttestFailed, "tee-pubkey y");
                    if (x.Length != size || y.Length != size)
                    {
                        throw new KbsException(KbsErrorKind.RcarAttestFailed, $"tee-pubkey coordinates must be {size} bytes for {crv}");
                    }

                    var parameters = new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } };
                    if (checkPoint && !PrimeCurvePoint.IsOnCurve(curve, x, y))
                    {
                        throw new KbsException(KbsErrorKind.RcarAttestFailed, "tee-pubkey is not a point on its curve");
                    }

                    var canonical = new JsonObject { ["kty"] = "EC", ["crv"] = crv };
                    if (alg is not null)
                    {
                        canonical["alg"] = alg;
                    }

                    canonical["x"] = Str(jwk, "x");
                    canonical["y"] = Str(jwk, "y");
                    return new TeePublicKey(TeeKeyKind.EcdhEsA256Kw, canonical, parameters, null);
                }

            case "RSA":
                {
                    var kind = alg switch
                    {
                        "RSA-OAEP-256" or null => TeeKeyKind.RsaOaep256,
                        "RSA1_5" => TeeKeyKind.Rsa15,
                        _ => throw new KbsException(KbsErrorKind.RcarAttestFailed, $"unsupported RSA tee-pubkey alg '{alg}'"),
                    };
                    var n = Base64UrlText.Decode(Str(jwk, "n"), KbsErrorKind.RcarAttestFailed, "tee-pubkey n");
                    var e = Base64UrlText.Decode(Str(jwk, "e"), KbsErrorKind.RcarAttestFailed, "tee-pubkey e");
                    if (n.Length is < 256 or > 1024)
                    {
                        throw new KbsException(KbsErrorKind.RcarAttestFailed, "RSA tee-pubkey modulus must be 2048 to 8192 bits");
                    }

                    var canonical = new JsonObject { ["kty"] = "RSA" };
                    if (alg is not null)
                    {
                        canonical["alg"] = alg;
                    }

                    canonical["n"] = Str(jwk, "n");
                    canonical["e"] = Str(jwk, "e");
                    return new TeePublicKey(kind, canonical, null, new RSAParameters { Modulus = n, Exponent = e });
                }

            default:
                throw new KbsException(KbsErrorKind.RcarAttestFailed, $"unsupported tee-pubkey kty '{kty}'");
        }
    }

    /// <summary>Imports an EC public key; OpenSSL checks that the point is on its curve (the refusal is a KbsException).</summary>
    internal static ECDiffieHellman CreateEcdh(ECParameters parameters)
    {
        try
        {
            return ECDiffieHellman.Create(parameters);
        }
        catch (CryptographicException ex)
        {
            throw new KbsException(KbsErrorKind.RcarAttestFailed, "tee-pubkey is not a point on its curve", ex);
        }
    }

    private static string? Str(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
