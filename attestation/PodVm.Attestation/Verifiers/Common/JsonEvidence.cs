using System.Runtime.InteropServices;
using System.Text.Json;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>Reads the byte encodings Trustee's evidence JSON uses: arrays of integers (serde), hex, base64 and base64url.</summary>
internal static class JsonEvidence
{
    /// <summary>The nesting depth (open objects and arrays) <see cref="Parse"/> accepts.</summary>
    public const int MaxDepth = 16;

    public static JsonDocument Parse(ReadOnlyMemory<byte> json, string what)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            throw VerificationException.Malformed($"{what} is not JSON: {e.Message}");
        }
    }

    /// <summary>
    /// As <see cref="Parse"/> (same limit, same refusals and messages), without tokenizing the numbers of plain byte
    /// arrays; read those with <see cref="ByteArray(MaskedJsonDocument, JsonElement, string, int?)"/>.
    /// </summary>
    public static MaskedJsonDocument ParseMasked(ReadOnlyMemory<byte> json, string what)
    {
        try
        {
            return MaskedJsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            throw VerificationException.Malformed($"{what} is not JSON: {e.Message}");
        }
    }

    /// <summary>
    /// Whether valid JSON <paramref name="json"/> never has more than <see cref="MaxDepth"/> objects and arrays open at
    /// once, i.e. whether <see cref="Parse"/> would accept its nesting (for evidence the caller has parsed already).
    /// </summary>
    public static bool WithinMaxDepth(ReadOnlySpan<byte> json)
    {
        var depth = 0;
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var b = json[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }
            }
            else if (b == (byte)'"')
            {
                inString = true;
            }
            else if (b is (byte)'{' or (byte)'[')
            {
                if (++depth > MaxDepth)
                {
                    return false;
                }
            }
            else if (b is (byte)'}' or (byte)']')
            {
                depth--;
            }
        }

        return true;
    }

    public static bool LooksLikeJson(ReadOnlySpan<byte> data) => data.TrimStart(" \t\r\n"u8) is [(byte)'{', ..];

    public static JsonElement Property(JsonElement obj, string name, string what)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw VerificationException.Malformed($"{what} has no '{name}'");
        }

        return value;
    }

    public static JsonElement? OptionalProperty(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>A serde byte array ([1,2,3]); with a length, it must have exactly that many bytes.</summary>
    public static byte[] ByteArray(JsonElement element, string what, int? length = null)
    {
        if (element.ValueKind == JsonValueKind.Array && TryReadPlainByteArray(JsonMarshal.GetRawUtf8Value(element), length, out var plain))
        {
            return plain;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            throw VerificationException.Malformed($"{what} is not a byte array");
        }

        var count = element.GetArrayLength();
        if (length is { } expected && count != expected)
        {
            throw VerificationException.Malformed($"{what} has {count} bytes, expected {expected}");
        }

        var bytes = new byte[count];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetByte(out bytes[i++]))
            {
                throw VerificationException.Malformed($"{what} holds a value that is not a byte");
            }
        }

        return bytes;
    }

    /// <summary>
    /// <see cref="ByteArray(JsonElement, string, int?)"/> for an element of a <see cref="MaskedJsonDocument"/>: read from
    /// the element's original text, so a masked array reads as the numbers it holds, with the same result and the same
    /// refusal as the element of an unmasked parse.
    /// </summary>
    public static byte[] ByteArray(MaskedJsonDocument document, JsonElement element, string what, int? length = null)
    {
        if (document.MaskedBytes(element) is { } decoded && (length is null || decoded.Length == length))
        {
            return decoded;
        }

        if (element.ValueKind == JsonValueKind.Array)
        {
            var text = document.TextOf(element);
            if (TryReadPlainByteArray(text.Span, length, out var plain))
            {
                return plain;
            }

            if (document.IsMasked(element))
            {
                // A masked array of the wrong length: the element-by-element reader names the count it holds.
                using var original = JsonDocument.Parse(text);
                return ByteArray(original.RootElement, what, length);
            }
        }

        return ByteArray(element, what, length);
    }

    /// <summary>
    /// The common case of <see cref="ByteArray(JsonElement, string, int?)"/> read straight from the array's JSON text (a 1.3 KB certificate is
    /// ~1300 elements): every element a plain decimal integer 0–255 and, with a length, exactly that many. Anything
    /// else (another number form, another value kind, a wrong count) returns false and is left to the element-by-element
    /// reader, which accepts or refuses it with its own message.
    /// </summary>
    internal static bool TryReadPlainByteArray(ReadOnlySpan<byte> json, int? length, out byte[] bytes)
    {
        bytes = [];
        if (json.Length < 2 || json[0] != (byte)'[' || json[^1] != (byte)']')
        {
            return false;
        }

        var buffer = new byte[json.Length / 2];
        var count = 0;
        var i = SkipWhitespace(json, 1);
        if (json[i] != (byte)']')
        {
            while (true)
            {
                var value = 0;
                var digits = 0;
                while (i < json.Length && json[i] is >= (byte)'0' and <= (byte)'9' && digits < 4)
                {
                    value = (value * 10) + (json[i] - '0');
                    digits++;
                    i++;
                }

                if (digits is 0 or > 3 || value > byte.MaxValue)
                {
                    return false;
                }

                buffer[count++] = (byte)value;
                i = SkipWhitespace(json, i);
                if (json[i] == (byte)']')
                {
                    break;
                }

                if (json[i] != (byte)',')
                {
                    return false;
                }

                i = SkipWhitespace(json, i + 1);
            }
        }

        if (i != json.Length - 1 || (length is { } expected && count != expected))
        {
            return false;
        }

        bytes = buffer.AsSpan(0, count).ToArray();
        return true;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length - 1 && json[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }

    public static string String(JsonElement element, string what) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw VerificationException.Malformed($"{what} is not a string");

    public static byte[] Base64(JsonElement element, string what) => DecodeBase64(String(element, what), what);

    /// <summary>Standard or URL-safe base64, padded or not.</summary>
    public static byte[] DecodeBase64(string text, string what)
    {
        var normalized = text.Trim().Replace('-', '+').Replace('_', '/');
        normalized = normalized.PadRight(normalized.Length + ((4 - (normalized.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(normalized);
        }
        catch (FormatException)
        {
            throw VerificationException.Malformed($"{what} is not base64");
        }
    }

    public static byte[] HexString(JsonElement element, string what) => Hex.Parse(String(element, what), what);

    /// <summary>A byte array given either as serde integers or as a string (hex when it is hex, else base64).</summary>
    public static byte[] Bytes(JsonElement element, string what)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            return ByteArray(element, what);
        }

        var text = String(element, what);
        return Hex.TryParse(text, out var hex) && text.Length % 2 == 0 ? hex : DecodeBase64(text, what);
    }

    public static ulong UInt64(JsonElement element, string what) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetUInt64(out var v) ? v : throw VerificationException.Malformed($"{what} is not an unsigned integer");
}
