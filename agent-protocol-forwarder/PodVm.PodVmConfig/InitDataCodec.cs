using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Tomlyn;
using Tomlyn.Parsing;

namespace PodVm.PodVmConfig;

/// <summary>Encodes (base64 of gzip), decodes and parses initdata; computes its digest.</summary>
public static class InitDataCodec
{
    /// <summary>Upper bound for the decompressed TOML (a gzip bomb must not exhaust the VM at boot).</summary>
    public const int MaxTomlBytes = 256 * 1024;

    /// <summary>base64(gzip(toml)), the annotation and <c>/run/peerpod/initdata</c> form.</summary>
    public static string Encode(ReadOnlySpan<byte> toml)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(toml);
        }

        return Convert.ToBase64String(output.ToArray());
    }

    /// <summary>Decodes base64(gzip(toml)) and parses it.</summary>
    public static InitData Decode(string encoded)
    {
        byte[] compressed;
        try
        {
            compressed = Convert.FromBase64String(string.Concat(encoded.Where(c => !char.IsWhiteSpace(c))));
        }
        catch (FormatException ex)
        {
            throw new InitDataException("initdata is not valid base64", ex);
        }

        byte[] toml;
        try
        {
            toml = CloudConfig.Gunzip("initdata", compressed, MaxTomlBytes);
        }
        catch (UserDataException ex)
        {
            throw new InitDataException(ex.Message, ex);
        }

        return Parse(toml);
    }

    /// <summary>Parses the raw TOML and checks version, algorithm and the data table.</summary>
    public static InitData Parse(ReadOnlyMemory<byte> toml)
    {
        if (toml.Length > MaxTomlBytes)
        {
            throw new InitDataException($"initdata is {toml.Length} bytes; the limit is {MaxTomlBytes}");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(toml.Span);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InitDataException("initdata is not UTF-8 text", ex);
        }

        string? version = null;
        string? algorithm = null;
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var parser = TomlParser.Create(text, TomlSerializerOptions.Default);
            string? property = null;
            var inData = false;
            var depth = 0;
            while (parser.MoveNext())
            {
                var ev = parser.Current;
                switch (ev.Kind)
                {
                    case TomlParseEventKind.PropertyName:
                        property = parser.GetPropertyName();
                        break;
                    case TomlParseEventKind.StartTable:
                        depth++;
                        if (depth == 2 && string.Equals(property, "data", StringComparison.Ordinal))
                        {
                            inData = true;
                        }
                        else if (depth > 1)
                        {
                            throw new InitDataException($"initdata: unexpected table '{property}' (only [data] is allowed)");
                        }

                        property = null;
                        break;
                    case TomlParseEventKind.EndTable:
                        depth--;
                        inData = false;
                        break;
                    case TomlParseEventKind.String:
                        var value = parser.GetString() ?? string.Empty;
                        if (inData && property is not null)
                        {
                            data[property] = value;
                        }
                        else if (depth == 1 && string.Equals(property, "version", StringComparison.Ordinal))
                        {
                            version = value;
                        }
                        else if (depth == 1 && string.Equals(property, "algorithm", StringComparison.Ordinal))
                        {
                            algorithm = value;
                        }
                        else
                        {
                            throw new InitDataException($"initdata: unexpected key '{property}'");
                        }

                        property = null;
                        break;
                    case TomlParseEventKind.StartArray:
                    case TomlParseEventKind.Integer:
                    case TomlParseEventKind.Float:
                    case TomlParseEventKind.Boolean:
                    case TomlParseEventKind.DateTime:
                        throw new InitDataException($"initdata: '{property}' must be a string");
                    default:
                        break;
                }
            }

            if (parser.HasErrors)
            {
                throw new InitDataException("initdata is not valid TOML: " + string.Join("; ", parser.Diagnostics));
            }
        }
        catch (TomlException ex)
        {
            throw new InitDataException("initdata is not valid TOML: " + ex.Message, ex);
        }

        if (string.IsNullOrEmpty(version))
        {
            throw new InitDataException("initdata has no 'version'");
        }

        if (string.IsNullOrEmpty(algorithm))
        {
            throw new InitDataException("initdata has no 'algorithm'");
        }

        algorithm = NormaliseAlgorithm(algorithm);
        return new InitData(version, algorithm, data, toml);
    }

    /// <summary>The digest of <paramref name="toml"/> with sha256/sha384/sha512.</summary>
    public static byte[] ComputeDigest(ReadOnlySpan<byte> toml, string algorithm) => NormaliseAlgorithm(algorithm) switch
    {
        "sha256" => SHA256.HashData(toml),
        "sha384" => SHA384.HashData(toml),
        _ => SHA512.HashData(toml),
    };

    private static string NormaliseAlgorithm(string algorithm) => algorithm.ToLowerInvariant().Replace("-", string.Empty, StringComparison.Ordinal) switch
    {
        "sha256" => "sha256",
        "sha384" => "sha384",
        "sha512" => "sha512",
        _ => throw new InitDataException($"initdata algorithm '{algorithm}' is not one of sha256, sha384, sha512"),
    };
}
