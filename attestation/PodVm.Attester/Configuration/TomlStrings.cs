using System.Text;
using Tomlyn;
using Tomlyn.Parsing;

namespace PodVm.Attester.Configuration;

/// <summary>
/// Reads the string values of a TOML document by dotted key path (<c>kbc.url</c>, <c>token_configs.kbs.cert</c>)
/// with Tomlyn's event parser (NativeAOT-safe). Values inside arrays are ignored; the attester needs none of them.
/// </summary>
internal static class TomlStrings
{
    /// <summary>Upper bound for a configuration file (initdata itself is limited to 256 KiB).</summary>
    public const int MaxBytes = 256 * 1024;

    public static IReadOnlyDictionary<string, string> Parse(ReadOnlySpan<byte> toml, string what)
    {
        if (toml.Length > MaxBytes)
        {
            throw new AttesterConfigException($"{what} is {toml.Length} bytes; the limit is {MaxBytes}");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(toml);
        }
        catch (DecoderFallbackException ex)
        {
            throw new AttesterConfigException($"{what} is not UTF-8 text", ex);
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var tables = new List<string>();
        string? property = null;
        var arrayDepth = 0;
        try
        {
            var parser = TomlParser.Create(text, TomlSerializerOptions.Default);
            while (parser.MoveNext())
            {
                switch (parser.Current.Kind)
                {
                    case TomlParseEventKind.PropertyName:
                        property = parser.GetPropertyName();
                        break;
                    case TomlParseEventKind.StartTable:
                        tables.Add(arrayDepth > 0 ? "\0" : property ?? "");
                        property = null;
                        break;
                    case TomlParseEventKind.EndTable:
                        if (tables.Count > 0)
                        {
                            tables.RemoveAt(tables.Count - 1);
                        }

                        property = null;
                        break;
                    case TomlParseEventKind.StartArray:
                        arrayDepth++;
                        break;
                    case TomlParseEventKind.EndArray:
                        arrayDepth--;
                        property = null;
                        break;
                    case TomlParseEventKind.String:
                        var value = parser.GetString() ?? "";
                        if (arrayDepth == 0 && property is not null && !tables.Contains("\0"))
                        {
                            values[Path(tables, property)] = value;
                        }

                        if (arrayDepth == 0)
                        {
                            property = null;
                        }

                        break;
                    case TomlParseEventKind.Integer:
                    case TomlParseEventKind.Float:
                    case TomlParseEventKind.Boolean:
                    case TomlParseEventKind.DateTime:
                        if (arrayDepth == 0)
                        {
                            property = null;
                        }

                        break;
                    default:
                        break;
                }
            }

            if (parser.HasErrors)
            {
                throw new AttesterConfigException($"{what} is not valid TOML: {string.Join("; ", parser.Diagnostics)}");
            }
        }
        catch (TomlException ex)
        {
            throw new AttesterConfigException($"{what} is not valid TOML: {ex.Message}", ex);
        }

        return values;
    }

    private static string Path(List<string> tables, string property)
    {
        // tables[0] is the document's root table (no name).
        var parts = tables.Skip(1).Where(t => t.Length > 0).Append(property);
        return string.Join('.', parts);
    }
}
