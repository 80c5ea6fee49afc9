using System.Text.Json;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.ReferenceValues;

/// <summary>
/// Turns signed bundles (PodVm bundles, signed CoRIMs) and Trustee RVPS messages into reference values. Nothing is
/// returned unless the bundle's signature verified with a configured signer, except RVPS "sample"/unsigned "corim"
/// messages when <see cref="AllowUnsigned"/> is set (Trustee compatibility for an authenticated admin).
/// </summary>
public sealed class ReferenceValueImporter(IReadOnlyList<ReferenceValueSigner> signers, TimeProvider timeProvider)
{
    /// <summary>Expiration given to CoRIM values whose bundle carries no not-after (Trustee: 12 months).</summary>
    public TimeSpan DefaultValidity { get; init; } = TimeSpan.FromDays(365);

    /// <summary>Accept unsigned RVPS messages ("sample" provenance, unsigned "corim"). Off by default.</summary>
    public bool AllowUnsigned { get; init; }

    /// <summary>Verifies a COSE_Sign1 bundle and reads it according to its content type.</summary>
    public IReadOnlyList<ReferenceValue> ImportSigned(ReadOnlyMemory<byte> bundle)
    {
        var now = timeProvider.GetUtcNow();
        var verified = SignedBundleVerifier.Verify(bundle, signers, now);
        if (string.Equals(verified.ContentType, PodVmReferenceBundle.ContentType, StringComparison.Ordinal))
        {
            return PodVmReferenceBundle.ReadPayload(verified);
        }

        if (verified.ContentType.StartsWith("application/rim+cbor", StringComparison.Ordinal)
            || verified.ContentType.StartsWith("application/corim-unsigned+cbor", StringComparison.Ordinal))
        {
            return CorimReader.Read(verified.Payload, verified.NotAfter ?? now + DefaultValidity, $"corim kid={verified.SignerKeyId}");
        }

        throw new ReferenceValueException(ReferenceValueError.UnsupportedContent, $"unsupported bundle content type '{verified.ContentType}'");
    }

    /// <summary>
    /// Reads a Trustee RVPS registration message <c>{"version":"0.1.0","type":…,"payload":"&lt;base64&gt;"}</c>. Types:
    /// "cose" (a signed bundle, verified), "corim" (signed CoRIM verified; unsigned only if allowed), "sample" (only if allowed).
    /// </summary>
    public IReadOnlyList<ReferenceValue> ImportRvpsMessage(string message)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(message) as JsonObject ?? throw new ReferenceValueException(ReferenceValueError.Malformed, "RVPS message is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, $"RVPS message is not JSON: {ex.Message}", ex);
        }

        var type = (string?)obj["type"];
        var payloadText = (string?)obj["payload"] ?? (string?)obj["provenance"]
            ?? throw new ReferenceValueException(ReferenceValueError.Malformed, "RVPS message has no payload");
        var payload = DecodeBase64Any(payloadText);
        var now = timeProvider.GetUtcNow();
        switch (type)
        {
            case "cose":
                return ImportSigned(payload);
            case "corim":
                if (payload.Length > 0 && payload[0] == 0xD2)
                {
                    return ImportSigned(payload);
                }

                RequireUnsignedAllowed(type);
                return CorimReader.Read(payload, now + DefaultValidity, "rvps corim (unsigned)");
            case "sample":
                RequireUnsignedAllowed(type);
                return ReadSample(payload, now + DefaultValidity);
            default:
                throw new ReferenceValueException(ReferenceValueError.UnsupportedContent, $"unsupported RVPS message type '{type}'");
        }
    }

    private void RequireUnsignedAllowed(string type)
    {
        if (!AllowUnsigned)
        {
            throw new ReferenceValueException(ReferenceValueError.UnknownSigner, $"unsigned reference values ('{type}') are disabled; sign them as a COSE bundle");
        }
    }

    private static List<ReferenceValue> ReadSample(byte[] payload, DateTimeOffset expiration)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(payload) as JsonObject ?? throw new ReferenceValueException(ReferenceValueError.Malformed, "sample provenance is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, $"sample provenance is not JSON: {ex.Message}", ex);
        }

        var result = new List<ReferenceValue>();
        foreach (var (name, value) in obj)
        {
            List<JsonNode> values = value switch
            {
                JsonArray a => [.. a.Where(n => n is not null).Select(n => n!.DeepClone())],
                JsonNode n => [n.DeepClone()],
                null => [],
            };
            result.Add(new ReferenceValue { Name = name, Values = values, Expiration = expiration, Source = "rvps sample (unsigned)" });
        }

        return result;
    }

    private static byte[] DecodeBase64Any(string text)
    {
        try
        {
            if (text.Contains('-', StringComparison.Ordinal) || text.Contains('_', StringComparison.Ordinal) || text.Length % 4 != 0)
            {
                return System.Buffers.Text.Base64Url.DecodeFromChars(text.TrimEnd('='));
            }

            return Convert.FromBase64String(text);
        }
        catch (FormatException ex)
        {
            throw new ReferenceValueException(ReferenceValueError.Malformed, "RVPS payload is not base64", ex);
        }
    }
}
