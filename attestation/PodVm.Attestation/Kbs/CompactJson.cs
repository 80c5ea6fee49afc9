using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Kbs;

/// <summary>
/// The UTF-8 JSON of one element of a parsed request, byte for byte what <c>JsonNode.ToJsonString(JsonText.Compact)</c>
/// writes for it. When the element's own text is already in that form (no whitespace between tokens, no escapes, ASCII
/// without DEL: the usual client output) it is copied as it is, without re-serializing; otherwise it is re-written.
/// </summary>
internal static class CompactJson
{
    public static byte[] Of(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (IsCompact(raw))
        {
            return raw.ToArray();
        }

        return Rewrite(element, raw.Length);
    }

    private static byte[] Rewrite(JsonElement element, int sizeHint)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(sizeHint, 1));
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonText.Compact.Encoder, Indented = false }))
        {
            element.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// As <see cref="Of(JsonElement)"/> for an element of a <see cref="MaskedJsonDocument"/>: from the element's original
    /// text (a masked array is written with its numbers).
    /// </summary>
    public static byte[] Of(MaskedJsonDocument document, JsonElement element)
    {
        var text = document.TextOf(element);
        if (document.IsCompact || IsCompact(text.Span))
        {
            return text.ToArray();
        }

        if (!document.IsMasked(element))
        {
            return Rewrite(element, text.Length);
        }

        using var original = JsonDocument.Parse(text);
        return Rewrite(original.RootElement, text.Length);
    }

    /// <summary>
    /// True when a writer with <see cref="JsonText.Compact"/> would write <paramref name="json"/> unchanged: numbers and
    /// literals are written as read, and a string without escapes made of printable ASCII is written as read by the
    /// relaxed encoder. Anything else (whitespace outside strings, a backslash, DEL, non-ASCII) takes the writer.
    /// </summary>
    internal static bool IsCompact(ReadOnlySpan<byte> json)
    {
        var inString = false;
        foreach (var b in json)
        {
            if (b is >= 0x7F or (byte)'\\')
            {
                return false;
            }

            if (b == (byte)'"')
            {
                inString = !inString;
            }
            else if (!inString && b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                return false;
            }
        }

        return true;
    }
}
