using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PodVm.Attestation.Kbs;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme: object members sorted by UTF-16 code units, no whitespace, strings with
/// the minimal escapes, numbers in ECMAScript form. Used for the RCAR runtime-data binding.
/// </summary>
public static class Jcs
{
    public static byte[] Canonicalize(JsonNode? node)
    {
        var sb = new StringBuilder(256);
        Write(sb, node);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static string CanonicalizeToString(JsonNode? node)
    {
        var sb = new StringBuilder(256);
        Write(sb, node);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                {
                    sb.Append('{');
                    var first = true;
                    foreach (var (key, value) in obj.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    {
                        if (!first)
                        {
                            sb.Append(',');
                        }

                        first = false;
                        WriteString(sb, key);
                        sb.Append(':');
                        Write(sb, value);
                    }

                    sb.Append('}');
                    break;
                }

            case JsonArray array:
                {
                    sb.Append('[');
                    for (var i = 0; i < array.Count; i++)
                    {
                        if (i > 0)
                        {
                            sb.Append(',');
                        }

                        Write(sb, array[i]);
                    }

                    sb.Append(']');
                    break;
                }

            case JsonValue value:
                WriteValue(sb, value);
                break;
            default:
                throw new JsonException("unsupported JSON node");
        }
    }

    private static void WriteValue(StringBuilder sb, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(sb, value.GetValue<string>());
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Null:
                sb.Append("null");
                break;
            case JsonValueKind.Number:
                WriteNumber(sb, value.GetValue<double>());
                break;
            default:
                throw new JsonException($"unsupported JSON value kind {value.GetValueKind()}");
        }
    }

    private static void WriteNumber(StringBuilder sb, double d)
    {
        if (double.IsNaN(d) || double.IsInfinity(d))
        {
            throw new JsonException("JCS cannot represent NaN or Infinity");
        }

        if (d == 0)
        {
            sb.Append('0');
            return;
        }

        // ECMAScript Number.prototype.toString: shortest round-trip digits; plain notation for 1e-7 <= |d| < 1e21.
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        var abs = Math.Abs(d);
        if (abs is >= 1e-6 and < 1e21)
        {
            if (r.Contains('E', StringComparison.Ordinal))
            {
                r = d.ToString(abs >= 1 ? "F0" : "0.#########################", CultureInfo.InvariantCulture);
            }

            sb.Append(r);
            return;
        }

        // Exponent form: "1e+21", "1.5e-7".
        var parts = r.Split('E');
        var mantissa = parts[0];
        var exponent = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
        sb.Append(mantissa).Append('e').Append(exponent >= 0 ? "+" : "-").Append(Math.Abs(exponent).ToString(CultureInfo.InvariantCulture));
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
