using System.Text;

namespace PodVm.Attester.Cdh;

/// <summary>
/// Parses the head of an HTTP/1.x request: request line and headers up to the blank line, at most
/// <see cref="MaxHeadBytes"/>. Strict: token methods, origin-form targets of visible ASCII, "name: value" headers,
/// no obs-fold, no request body (GET only: Content-Length other than 0 or Transfer-Encoding are refused).
/// </summary>
internal static class HttpRequestParser
{
    public const int MaxHeadBytes = 8 * 1024;

    public static HttpParseStatus TryParse(ReadOnlySpan<byte> buffer, out HttpRequestHead? head, out string? error)
    {
        head = null;
        error = null;
        var end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (buffer.Length >= MaxHeadBytes)
            {
                error = $"request head larger than {MaxHeadBytes} bytes";
                return HttpParseStatus.TooLarge;
            }

            return HttpParseStatus.Incomplete;
        }

        if (end + 4 > MaxHeadBytes)
        {
            error = $"request head larger than {MaxHeadBytes} bytes";
            return HttpParseStatus.TooLarge;
        }

        var text = buffer[..end];
        var lineEnd = text.IndexOf("\r\n"u8);
        var requestLine = lineEnd < 0 ? text : text[..lineEnd];
        if (!TryParseRequestLine(requestLine, out head, out error))
        {
            return HttpParseStatus.Invalid;
        }

        var rest = lineEnd < 0 ? ReadOnlySpan<byte>.Empty : text[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var next = rest.IndexOf("\r\n"u8);
            var line = next < 0 ? rest : rest[..next];
            rest = next < 0 ? ReadOnlySpan<byte>.Empty : rest[(next + 2)..];
            if (!TryCheckHeader(line, out error))
            {
                head = null;
                return HttpParseStatus.Invalid;
            }
        }

        return HttpParseStatus.Complete;
    }

    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, out HttpRequestHead? head, out string? error)
    {
        head = null;
        var firstSpace = line.IndexOf((byte)' ');
        var lastSpace = line.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace <= firstSpace + 1)
        {
            error = "malformed request line";
            return false;
        }

        var method = line[..firstSpace];
        var target = line[(firstSpace + 1)..lastSpace];
        var version = line[(lastSpace + 1)..];
        if (!IsToken(method))
        {
            error = "malformed method";
            return false;
        }

        if (target.Length == 0 || target[0] != (byte)'/' || target.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
        {
            error = "the request target must be an absolute path of visible ASCII";
            return false;
        }

        if (!version.SequenceEqual("HTTP/1.1"u8) && !version.SequenceEqual("HTTP/1.0"u8))
        {
            error = "only HTTP/1.0 and HTTP/1.1 are served";
            return false;
        }

        head = new HttpRequestHead(Encoding.ASCII.GetString(method), Encoding.ASCII.GetString(target), Encoding.ASCII.GetString(version));
        error = null;
        return true;
    }

    private static bool TryCheckHeader(ReadOnlySpan<byte> line, out string? error)
    {
        error = null;
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || !IsToken(line[..colon]))
        {
            error = "malformed header line";
            return false;
        }

        var value = line[(colon + 1)..].Trim(" \t"u8);
        if (value.IndexOfAny((byte)'\r', (byte)'\n', (byte)0) >= 0)
        {
            error = "malformed header value";
            return false;
        }

        var name = line[..colon];
        if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
        {
            error = "request bodies are not accepted";
            return false;
        }

        if (Ascii.EqualsIgnoreCase(name, "content-length"u8) && !value.SequenceEqual("0"u8))
        {
            error = "request bodies are not accepted";
            return false;
        }

        return true;
    }

    /// <summary>RFC 9110 token characters.</summary>
    private static bool IsToken(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var b in value)
        {
            var ok = b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                || "!#$%&'*+-.^_`|~"u8.Contains(b);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
