using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.Policy;

/// <summary>Normalises claim and reference values for comparison: hex case-insensitively, numbers by value.</summary>
public static class ClaimValues
{
    /// <summary>A canonical comparison string: lower-case without a 0x prefix for strings, invariant digits for numbers.</summary>
    public static string? Normalize(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return node?.ToJsonString();
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.String => StripHexPrefix(value.GetValue<string>().Trim().ToLowerInvariant()),
            JsonValueKind.Number => AsDecimal(value)?.ToString(CultureInfo.InvariantCulture),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    /// <summary>The numeric value of a number, a decimal string or a 0x hex string; null otherwise.</summary>
    public static decimal? AsDecimal(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        if (value.GetValueKind() == JsonValueKind.Number)
        {
            return decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
        }

        if (value.GetValueKind() == JsonValueKind.String)
        {
            var s = value.GetValue<string>().Trim();
            if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                && ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                return hex;
            }

            if (decimal.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var dec))
            {
                return dec;
            }
        }

        return null;
    }

    /// <summary>True for JSON true, "true", or a non-zero number.</summary>
    public static bool IsTrue(JsonNode? node) => node is JsonValue v && v.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.String => string.Equals(v.GetValue<string>(), "true", StringComparison.OrdinalIgnoreCase),
        JsonValueKind.Number => AsDecimal(v) is { } d && d != 0,
        _ => false,
    };

    private static string StripHexPrefix(string s) => s.StartsWith("0x", StringComparison.Ordinal) ? s[2..] : s;
}
