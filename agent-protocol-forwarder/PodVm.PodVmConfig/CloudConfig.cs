using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace PodVm.PodVmConfig;

/// <summary>
/// Reads and writes the user data document as cloud-config (<c>#cloud-config</c> + <c>write_files</c>), the format
/// upstream peer pods sends. Only a strict YAML subset is accepted: a <c>write_files</c> list whose items carry
/// <c>path</c>, <c>content</c> (plain, quoted or <c>|</c> block scalar), <c>encoding</c> (none, <c>b64</c>,
/// <c>gz+b64</c>), <c>permissions</c> and <c>owner</c> (root only). Anything else is refused with a reason.
/// </summary>
public static class CloudConfig
{
    /// <summary>The first line of every document.</summary>
    public const string Header = "#cloud-config";

    /// <summary>Serialises <paramref name="document"/>; every content is base64 (gzip first when that is smaller).</summary>
    public static string Write(UserDataDocument document)
    {
        var sb = new StringBuilder();
        sb.Append(Header).Append('\n').Append("write_files:\n");
        foreach (var file in document.Files)
        {
            var (encoding, text) = Encode(file.Content.Span);
            sb.Append("- path: ").Append(file.Path).Append('\n');
            sb.Append("  owner: root:root\n");
            sb.Append("  permissions: '").Append(file.Permissions).Append("'\n");
            sb.Append("  encoding: ").Append(encoding).Append('\n');
            sb.Append("  content: ").Append(text).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Parses and validates a document: size, syntax, keys, whitelist of paths, encodings, duplicates.</summary>
    public static UserDataDocument Parse(ReadOnlySpan<byte> utf8, UserDataLimits? limits = null)
    {
        limits ??= UserDataLimits.Default;
        if (utf8.Length > limits.MaxDocumentBytes)
        {
            throw new UserDataException(UserDataErrorReason.TooLarge,
                $"user data is {utf8.Length} bytes; the limit is {limits.MaxDocumentBytes} bytes");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(utf8);
        }
        catch (DecoderFallbackException ex)
        {
            throw new UserDataException(UserDataErrorReason.Malformed, "user data is not UTF-8 text", ex);
        }

        return ParseText(text, limits);
    }

    private static UserDataDocument ParseText(string text, UserDataLimits limits)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var i = 0;
        while (i < lines.Length && lines[i].Trim().Length == 0)
        {
            i++;
        }

        if (i >= lines.Length || !string.Equals(lines[i].TrimEnd(), Header, StringComparison.Ordinal))
        {
            throw new UserDataException(UserDataErrorReason.Malformed, $"user data does not start with '{Header}'");
        }

        i++;
        var files = new List<UserDataFile>();
        var seenWriteFiles = false;
        while (i < lines.Length)
        {
            var line = lines[i];
            if (IsBlankOrComment(line))
            {
                i++;
                continue;
            }

            if (Indent(line) != 0)
            {
                throw Malformed(i, "unexpected indentation at top level");
            }

            var (key, value) = SplitKey(line.Trim(), i);
            if (!string.Equals(key, "write_files", StringComparison.Ordinal))
            {
                throw new UserDataException(UserDataErrorReason.UnknownKey, $"line {i + 1}: unknown top-level key '{key}'");
            }

            if (seenWriteFiles)
            {
                throw new UserDataException(UserDataErrorReason.Duplicate, $"line {i + 1}: 'write_files' appears twice");
            }

            seenWriteFiles = true;
            if (value.Length != 0 && value != "[]")
            {
                throw Malformed(i, "'write_files' must be a block list");
            }

            i++;
            i = ParseFiles(lines, i, files, limits);
        }

        return new UserDataDocument(files);
    }

    private static int ParseFiles(string[] lines, int i, List<UserDataFile> files, UserDataLimits limits)
    {
        int? itemIndent = null;
        while (i < lines.Length)
        {
            var line = lines[i];
            if (IsBlankOrComment(line))
            {
                i++;
                continue;
            }

            var indent = Indent(line);
            var trimmed = line.TrimStart();
            if (!trimmed.StartsWith('-'))
            {
                if (indent == 0)
                {
                    return i;
                }

                throw Malformed(i, "expected a list item ('- path: ...')");
            }

            itemIndent ??= indent;
            if (indent != itemIndent)
            {
                throw Malformed(i, "list items are not aligned");
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            var keyIndent = indent + 2;
            var first = trimmed[1..];
            if (first.Length > 0 && first[0] != ' ')
            {
                throw Malformed(i, "expected '- ' before the first key");
            }

            keyIndent = indent + 1 + (first.Length - first.TrimStart().Length);
            var firstLine = first.Trim();
            if (firstLine.Length != 0)
            {
                i = ReadField(lines, i, firstLine, keyIndent, fields);
            }
            else
            {
                i++;
                keyIndent = -1;
            }

            while (i < lines.Length)
            {
                var l = lines[i];
                if (IsBlankOrComment(l))
                {
                    i++;
                    continue;
                }

                var ind = Indent(l);
                if (ind <= indent)
                {
                    break;
                }

                if (keyIndent < 0)
                {
                    keyIndent = ind;
                }

                if (ind != keyIndent)
                {
                    throw Malformed(i, "keys of a list item are not aligned");
                }

                i = ReadField(lines, i, l.Trim(), keyIndent, fields);
            }

            files.Add(BuildFile(fields, files, limits));
        }

        return i;
    }

    private static int ReadField(string[] lines, int i, string keyValue, int keyIndent, Dictionary<string, string> fields)
    {
        var (key, value) = SplitKey(keyValue, i);
        if (key is not ("path" or "content" or "encoding" or "permissions" or "owner" or "append" or "defer"))
        {
            throw new UserDataException(UserDataErrorReason.UnknownKey, $"line {i + 1}: unknown write_files key '{key}'");
        }

        if (fields.ContainsKey(key))
        {
            throw new UserDataException(UserDataErrorReason.Duplicate, $"line {i + 1}: key '{key}' appears twice");
        }

        if (value is "|" or "|-" or "|+")
        {
            var block = new List<string>();
            var j = i + 1;
            int? blockIndent = null;
            while (j < lines.Length)
            {
                var l = lines[j];
                if (l.Trim().Length == 0)
                {
                    block.Add(string.Empty);
                    j++;
                    continue;
                }

                var ind = Indent(l);
                if (ind <= keyIndent)
                {
                    break;
                }

                blockIndent ??= ind;
                if (ind < blockIndent)
                {
                    throw Malformed(j, "block scalar line is less indented than its first line");
                }

                block.Add(l[blockIndent.Value..]);
                j++;
            }

            var content = string.Join('\n', block).TrimEnd('\n');
            content = value switch
            {
                "|-" => content,
                "|+" => string.Join('\n', block),
                _ => content.Length == 0 ? content : content + "\n",
            };
            fields[key] = content;
            return j;
        }

        fields[key] = Scalar(value, i);
        return i + 1;
    }

    private static UserDataFile BuildFile(Dictionary<string, string> fields, List<UserDataFile> files, UserDataLimits limits)
    {
        if (!fields.TryGetValue("path", out var path) || path.Length == 0)
        {
            throw new UserDataException(UserDataErrorReason.Malformed, "a write_files item has no 'path'");
        }

        if (!PodVmPaths.IsWritable(path))
        {
            throw new UserDataException(UserDataErrorReason.PathNotAllowed,
                $"write_files path '{path}' is not allowed; allowed: {string.Join(", ", PodVmPaths.WritableFiles)}");
        }

        if (files.Count >= limits.MaxFiles)
        {
            throw new UserDataException(UserDataErrorReason.TooLarge, $"more than {limits.MaxFiles} files in write_files");
        }

        if (files.Exists(f => string.Equals(f.Path, path, StringComparison.Ordinal)))
        {
            throw new UserDataException(UserDataErrorReason.Duplicate, $"write_files path '{path}' appears twice");
        }

        if (fields.TryGetValue("owner", out var owner) && owner is not ("root" or "root:root" or "0:0"))
        {
            throw new UserDataException(UserDataErrorReason.InvalidContent, $"'{path}': owner '{owner}' is not allowed (root only)");
        }

        if (fields.TryGetValue("append", out var append) && append is not ("false" or ""))
        {
            throw new UserDataException(UserDataErrorReason.InvalidContent, $"'{path}': append is not supported");
        }

        var permissions = fields.GetValueOrDefault("permissions", "0644");
        if (permissions.Length is < 3 or > 4 || !permissions.All(c => c is >= '0' and <= '7'))
        {
            throw new UserDataException(UserDataErrorReason.InvalidContent, $"'{path}': permissions '{permissions}' are not octal");
        }

        var content = Decode(path, fields.GetValueOrDefault("content", string.Empty), fields.GetValueOrDefault("encoding", string.Empty), limits);
        return new UserDataFile(path, content, permissions.Length == 3 ? "0" + permissions : permissions);
    }

    private static byte[] Decode(string path, string content, string encoding, UserDataLimits limits)
    {
        byte[] bytes;
        switch (encoding.ToLowerInvariant())
        {
            case "":
            case "text/plain":
                bytes = Encoding.UTF8.GetBytes(content);
                break;
            case "b64":
            case "base64":
                bytes = FromBase64(path, content);
                break;
            case "gz+b64":
            case "gzip+b64":
            case "gz+base64":
            case "gzip+base64":
                bytes = Gunzip(path, FromBase64(path, content), limits.MaxFileBytes);
                break;
            default:
                throw new UserDataException(UserDataErrorReason.BadEncoding, $"'{path}': unknown encoding '{encoding}'");
        }

        if (bytes.Length > limits.MaxFileBytes)
        {
            throw new UserDataException(UserDataErrorReason.TooLarge,
                $"'{path}' is {bytes.Length} bytes; the limit is {limits.MaxFileBytes} bytes");
        }

        return bytes;
    }

    private static byte[] FromBase64(string path, string content)
    {
        try
        {
            return Convert.FromBase64String(string.Concat(content.Where(c => !char.IsWhiteSpace(c))));
        }
        catch (FormatException ex)
        {
            throw new UserDataException(UserDataErrorReason.BadEncoding, $"'{path}': content is not valid base64", ex);
        }
    }

    /// <summary>Decompresses gzip with a hard output limit (a small input must not expand without bound).</summary>
    internal static byte[] Gunzip(string what, byte[] compressed, int maxBytes)
    {
        try
        {
            using var input = new MemoryStream(compressed);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = gzip.Read(buffer)) > 0)
            {
                if (output.Length + n > maxBytes)
                {
                    throw new UserDataException(UserDataErrorReason.TooLarge,
                        $"'{what}' decompresses to more than {maxBytes} bytes");
                }

                output.Write(buffer, 0, n);
            }

            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new UserDataException(UserDataErrorReason.BadEncoding, $"'{what}': content is not valid gzip", ex);
        }
    }

    private static (string Encoding, string Text) Encode(ReadOnlySpan<byte> content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(content);
        }

        var compressed = output.ToArray();
        return compressed.Length < content.Length
            ? ("gz+b64", Convert.ToBase64String(compressed))
            : ("b64", Convert.ToBase64String(content));
    }

    private static string Scalar(string value, int line)
    {
        if (value.Length == 0)
        {
            return value;
        }

        if (value[0] == '\'')
        {
            if (value.Length < 2 || value[^1] != '\'')
            {
                throw Malformed(line, "unterminated single-quoted scalar");
            }

            return value[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }

        if (value[0] == '"')
        {
            if (value.Length < 2 || value[^1] != '"')
            {
                throw Malformed(line, "unterminated double-quoted scalar");
            }

            var sb = new StringBuilder();
            var inner = value[1..^1];
            for (var k = 0; k < inner.Length; k++)
            {
                var c = inner[k];
                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }

                if (++k >= inner.Length)
                {
                    throw Malformed(line, "dangling escape in double-quoted scalar");
                }

                sb.Append(inner[k] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '"' => '"',
                    '\\' => '\\',
                    '/' => '/',
                    '0' => '\0',
                    _ => throw Malformed(line, $"unsupported escape '\\{inner[k]}'"),
                });
            }

            return sb.ToString();
        }

        if (value[0] is '{' or '[' or '&' or '*' or '!' or '>' or '%' or '@' or '`')
        {
            throw Malformed(line, $"unsupported YAML construct '{value[0]}'");
        }

        var hash = value.IndexOf(" #", StringComparison.Ordinal);
        return (hash >= 0 ? value[..hash] : value).Trim();
    }

    private static (string Key, string Value) SplitKey(string text, int line)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || (colon + 1 < text.Length && text[colon + 1] != ' '))
        {
            throw Malformed(line, "expected 'key: value'");
        }

        return (text[..colon].Trim(), text[(colon + 1)..].Trim());
    }

    private static bool IsBlankOrComment(string line)
    {
        var t = line.TrimStart();
        return t.Length == 0 || t[0] == '#';
    }

    private static int Indent(string line)
    {
        var n = 0;
        while (n < line.Length && line[n] == ' ')
        {
            n++;
        }

        if (n < line.Length && line[n] == '\t')
        {
            throw new UserDataException(UserDataErrorReason.Malformed, "tabs are not allowed for indentation in YAML");
        }

        return n;
    }

    private static UserDataException Malformed(int line, string what) =>
        new(UserDataErrorReason.Malformed, string.Create(CultureInfo.InvariantCulture, $"line {line + 1}: {what}"));
}
