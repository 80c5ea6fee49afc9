using System.Formats.Cbor;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.ReferenceValues;

/// <summary>
/// PodVm's own signed reference value bundle (docs/attestation/reference-values.md): a tagged COSE_Sign1 whose
/// protected header is <c>{1: alg, 3: "application/vnd.podvm.reference-values+json", 4: kid, 15: {1: iss, 4: exp, 6: iat}}</c>
/// and whose payload is the JSON <c>{"version":"0.1.0","producer":…,"created":…,"reference_values":[{"name","expiration","value":[…]}]}</c>.
/// A pod VM image build writes one with <see cref="Sign"/>; <c>podvm kbs import-reference-values</c> reads it.
/// </summary>
public static class PodVmReferenceBundle
{
    public const string ContentType = "application/vnd.podvm.reference-values+json";

    public const string Version = "0.1.0";

    public static byte[] Sign(
        IReadOnlyList<ReferenceValue> values,
        ECDsa signingKey,
        string keyId,
        string producer,
        DateTimeOffset issuedAt,
        DateTimeOffset notAfter)
    {
        var array = new JsonArray();
        foreach (var v in values)
        {
            array.Add(v.ToJson());
        }

        var payload = new JsonObject
        {
            ["version"] = Version,
            ["producer"] = producer,
            ["created"] = FormatTime(issuedAt),
            ["reference_values"] = array,
        };
        var content = Encoding.UTF8.GetBytes(payload.ToJsonString());

        var hash = signingKey.KeySize switch
        {
            256 => HashAlgorithmName.SHA256,
            384 => HashAlgorithmName.SHA384,
            521 => HashAlgorithmName.SHA512,
            var size => throw new ArgumentException($"unsupported EC key size {size}", nameof(signingKey)),
        };

        var cwt = new CborWriter(CborConformanceMode.Canonical);
        cwt.WriteStartMap(3);
        cwt.WriteInt32(1);
        cwt.WriteTextString(producer);
        cwt.WriteInt32(4);
        cwt.WriteInt64(notAfter.ToUnixTimeSeconds());
        cwt.WriteInt32(6);
        cwt.WriteInt64(issuedAt.ToUnixTimeSeconds());
        cwt.WriteEndMap();

        var headers = new CoseHeaderMap
        {
            [CoseHeaderLabel.ContentType] = CoseHeaderValue.FromString(ContentType),
            [CoseHeaderLabel.KeyIdentifier] = CoseHeaderValue.FromBytes(Encoding.UTF8.GetBytes(keyId)),
            [new CoseHeaderLabel(15)] = CoseHeaderValue.FromEncodedValue(cwt.Encode()),
        };
        var signer = new CoseSigner(signingKey, hash, headers);
        return CoseSign1Message.SignEmbedded(content, signer);
    }

    /// <summary>Reads the payload of a verified bundle; each value's expiration is capped at the bundle's not-after.</summary>
    public static IReadOnlyList<ReferenceValue> ReadPayload(VerifiedBundle bundle)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bundle.Payload.Span);
        }
        catch (JsonException ex)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, $"bundle payload is not JSON: {ex.Message}", ex);
        }

        if (root is not JsonObject obj || !string.Equals((string?)obj["version"], Version, StringComparison.Ordinal))
        {
            throw new ReferenceValueException(ReferenceValueError.UnsupportedContent, $"bundle payload version must be {Version}");
        }

        if (obj["reference_values"] is not JsonArray array)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, "bundle payload has no reference_values array");
        }

        var source = $"podvm-bundle kid={bundle.SignerKeyId} producer={(string?)obj["producer"]}";
        var result = new List<ReferenceValue>(array.Count);
        foreach (var item in array)
        {
            var rv = ParseRvpsValue(item, source);
            if (bundle.NotAfter is { } cap && rv.Expiration > cap)
            {
                rv = rv with { Expiration = cap };
            }

            result.Add(rv);
        }

        return result;
    }

    /// <summary>Parses one RVPS-style stored value <c>{"name","expiration","value"}</c>.</summary>
    public static ReferenceValue ParseRvpsValue(JsonNode? item, string source)
    {
        if (item is not JsonObject rv
            || rv["name"] is not JsonValue nameNode || !nameNode.TryGetValue<string>(out var name) || string.IsNullOrEmpty(name)
            || rv["expiration"] is not JsonValue expNode || !expNode.TryGetValue<string>(out var expText)
            || !DateTimeOffset.TryParse(expText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiration))
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, "a reference value needs a name, an expiration and a value");
        }

        var values = rv["value"] switch
        {
            JsonArray a => a.Where(n => n is not null).Select(n => n!.DeepClone()).ToList(),
            JsonNode single => [single.DeepClone()],
            null => throw new ReferenceValueException(ReferenceValueError.Malformed, $"reference value {name} has no value"),
        };
        return new ReferenceValue { Name = name, Values = values, Expiration = expiration, Source = source };
    }

    private static string FormatTime(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
