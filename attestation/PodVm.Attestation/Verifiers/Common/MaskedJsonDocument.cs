using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace PodVm.Attestation.Verifiers.Common;

/// <summary>
/// A JSON document parsed without tokenizing the numbers of its plain byte arrays. Trustee's SEV-SNP evidence carries
/// the report and the VCEK as serde byte arrays (<c>[1,2,…]</c>, ~1900 numbers in 6.7 KB); tokenizing each number
/// was most of the cost of parsing it. Before the parse, a strict scanner finds every array outside strings that holds
/// at least <see cref="MinMaskedElements"/> JSON integers 0–255 (no sign, fraction, exponent or leading zero; JSON
/// whitespace only) and a copy of the text is parsed in which their digits and commas are spaces: the parser sees an
/// empty array at the same place, the same length and the same lines. Anything else — another number form, a value
/// above 255, a nested value, an unterminated array — is left as it is and parsed as before.
/// </summary>
/// <remarks>
/// An array replaced by an empty array is valid exactly where the original was, at the same nesting depth, so the
/// masked text is valid JSON exactly when the original is; when it is not, the original text is parsed for the
/// refusal, which is therefore JsonDocument's own. <see cref="TextOf"/> gives any element's original text; readers of array contents must use it
/// (<see cref="JsonEvidence.ByteArray(MaskedJsonDocument, JsonElement, string, int?)"/>,
/// <c>CompactJson.Of(MaskedJsonDocument, JsonElement)</c>).
/// </remarks>
internal sealed class MaskedJsonDocument : IDisposable
{
    /// <summary>Shorter arrays are left to the parser (masking them would save little).</summary>
    public const int MinMaskedElements = 16;

    private readonly ReadOnlyMemory<byte> _json;
    private readonly ReadOnlyMemory<byte> _parsed;
    private readonly JsonDocument _document;
    private readonly Dictionary<int, byte[]>? _arrays;

    private MaskedJsonDocument(ReadOnlyMemory<byte> json, ReadOnlyMemory<byte> parsed, JsonDocument document, Scan scan)
    {
        _json = json;
        _parsed = parsed;
        _document = document;
        _arrays = parsed.Equals(json) ? null : scan.Arrays;
        MaxDepth = scan.MaxDepth;
        IsCompact = scan.Compact;
    }

    public JsonElement RootElement => _document.RootElement;

    /// <summary>The deepest nesting of objects and arrays in the text (the root object or array is 1).</summary>
    public int MaxDepth { get; }

    /// <summary>
    /// Whether the whole text is compact JSON as <c>CompactJson.IsCompact</c> defines it (no whitespace outside strings,
    /// no backslash, only ASCII below DEL), and therefore every element's text too.
    /// </summary>
    public bool IsCompact { get; }

    /// <summary>Whether any array was masked.</summary>
    public bool HasMaskedArrays => !_parsed.Equals(_json);

    /// <summary>
    /// Parses <paramref name="json"/> (kept, not copied, for the document's lifetime) as <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>
    /// would, with the same exceptions and messages.
    /// </summary>
    public static MaskedJsonDocument Parse(ReadOnlyMemory<byte> json, JsonDocumentOptions options = default, int minMaskedElements = MinMaskedElements)
    {
        var scan = Scan.Of(json.Span, minMaskedElements);
        if (scan.Masked is not { } masked)
        {
            return new MaskedJsonDocument(json, json, JsonDocument.Parse(json, options), scan);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(masked, options);
        }
        catch (JsonException)
        {
            // Invalid JSON: refused by the parse of the original text, so that the message (which may quote the bytes
            // after the error, e.g. after a broken literal) is exactly JsonDocument's. Should that parse succeed, the
            // document is the unmasked one.
            return new MaskedJsonDocument(json, json, JsonDocument.Parse(json, options), scan);
        }

        return new MaskedJsonDocument(json, masked, document, scan);
    }

    /// <summary>The element's text as it is in the original JSON (a masked array with its numbers).</summary>
    /// <exception cref="ArgumentException">The element is not from this document.</exception>
    public ReadOnlyMemory<byte> TextOf(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var parsed = _parsed.Span;
        var offset = raw.IsEmpty ? -1 : (long)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(parsed), ref MemoryMarshal.GetReference(raw));
        if (offset < 0 || offset + raw.Length > parsed.Length)
        {
            throw new ArgumentException("the element is not from this document", nameof(element));
        }

        return _json.Slice((int)offset, raw.Length);
    }

    /// <summary>
    /// The bytes of a masked array, decoded by the scan (the caller takes the array; each masked array is decoded once
    /// and given out as it is), or null when <paramref name="element"/> is not a masked array.
    /// </summary>
    public byte[]? MaskedBytes(JsonElement element)
    {
        if (_arrays is null || element.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var raw = JsonMarshal.GetRawUtf8Value(element);
        var offset = (long)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(_parsed.Span), ref MemoryMarshal.GetReference(raw));
        return offset is >= 0 and <= int.MaxValue && _arrays.TryGetValue((int)offset, out var bytes) ? bytes : null;
    }

    /// <summary>Whether the element's parsed text differs from its original text (it is or holds a masked array).</summary>
    public bool IsMasked(JsonElement element) =>
        HasMaskedArrays && !JsonMarshal.GetRawUtf8Value(element).SequenceEqual(TextOf(element).Span);

    public void Dispose() => _document.Dispose();

    /// <summary>A copy of <paramref name="json"/> with the digits and commas of its plain byte arrays blanked, or null when it has none.</summary>
    internal static byte[]? Mask(ReadOnlySpan<byte> json, int minElements = MinMaskedElements) => Scan.Of(json, minElements).Masked;

    /// <summary>
    /// The index of the <c>]</c> closing the array that opens at <paramref name="open"/> when it is a valid JSON array
    /// of integers 0–255 written plainly (<c>0</c> or a digit 1–9 followed by at most two digits) with JSON whitespace
    /// (space, tab, CR, LF) around them; -1 for anything else.
    /// </summary>
    internal static int PlainByteArrayEnd(ReadOnlySpan<byte> json, int open, out int count) => PlainByteArrayEnd(json, open, out count, []);

    /// <param name="json">The text.</param>
    /// <param name="open">The index of the <c>[</c>.</param>
    /// <param name="count">The number of elements read.</param>
    /// <param name="values">Receives the elements (when long enough; at most half the array's text is needed).</param>
    private static int PlainByteArrayEnd(ReadOnlySpan<byte> json, int open, out int count, Span<byte> values)
    {
        count = 0;
        var i = SkipWhitespace(json, open + 1);
        if (i < json.Length && json[i] == (byte)']')
        {
            return i;
        }

        while (i < json.Length)
        {
            var value = json[i] - '0';
            if (value is < 0 or > 9)
            {
                return -1;
            }

            i++;
            if (value != 0)
            {
                for (var digits = 1; i < json.Length && json[i] is >= (byte)'0' and <= (byte)'9'; digits++, i++)
                {
                    value = (value * 10) + (json[i] - '0');
                    if (digits == 3)
                    {
                        return -1;
                    }
                }
            }

            // A digit after "0" (a leading zero), or '.', 'e', 'E' and any other byte end the scan below.
            if (value > byte.MaxValue)
            {
                return -1;
            }

            if (count < values.Length)
            {
                values[count] = (byte)value;
            }

            count++;
            i = SkipWhitespace(json, i);
            if (i >= json.Length)
            {
                return -1;
            }

            if (json[i] == (byte)']')
            {
                return i;
            }

            if (json[i] != (byte)',')
            {
                return -1;
            }

            i = SkipWhitespace(json, i + 1);
        }

        return -1;
    }

    /// <summary>One pass over the text: the masked copy with the decoded arrays (by the offset of their '['), the nesting depth, compactness.</summary>
    private readonly record struct Scan(byte[]? Masked, Dictionary<int, byte[]>? Arrays, int MaxDepth, bool Compact)
    {
        public static Scan Of(ReadOnlySpan<byte> json, int minElements)
        {
            byte[]? copy = null;
            Dictionary<int, byte[]>? arrays = null;
            byte[]? values = null;
            var inString = false;
            var compact = true;
            var depth = 0;
            var maxDepth = 0;
            for (var i = 0; i < json.Length; i++)
            {
                var b = json[i];
                if (b >= 0x7F)
                {
                    compact = false;
                }

                if (inString)
                {
                    if (b == (byte)'\\')
                    {
                        compact = false;
                        i++;
                    }
                    else if (b == (byte)'"')
                    {
                        inString = false;
                    }

                    continue;
                }

                switch (b)
                {
                    case (byte)'"':
                        inString = true;
                        continue;
                    case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'\\':
                        compact = false;
                        continue;
                    case (byte)'{':
                        maxDepth = Math.Max(maxDepth, ++depth);
                        continue;
                    case (byte)'}' or (byte)']':
                        depth--;
                        continue;
                    case (byte)'[':
                        maxDepth = Math.Max(maxDepth, ++depth);
                        break;
                    default:
                        continue;
                }

                values ??= new byte[json.Length / 2];
                var end = PlainByteArrayEnd(json, i, out var count, values);
                if (end < 0 || count < minElements)
                {
                    continue;
                }

                copy ??= json.ToArray();
                for (var j = i + 1; j < end; j++)
                {
                    if (copy[j] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
                    {
                        compact = false;
                    }
                    else
                    {
                        copy[j] = (byte)' ';
                    }
                }

                (arrays ??= [])[i] = values.AsSpan(0, count).ToArray();
                depth--;
                i = end;
            }

            return new Scan(copy, arrays, maxDepth, compact && !inString);
        }
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }
}
