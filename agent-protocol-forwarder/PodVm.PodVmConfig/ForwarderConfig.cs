using System.Text.Json;
using System.Text.Json.Serialization;

namespace PodVm.PodVmConfig;

/// <summary>
/// The forwarder configuration, <c>/run/peerpod/apf.json</c>, with upstream's key names. TLS material is either
/// inline PEM (upstream's form) or, when empty, read from the files under <c>/run/peerpod/tls/</c>.
/// </summary>
public sealed record ForwarderConfig
{
    [JsonPropertyName(Keys.PodNamespace)]
    public string? PodNamespace { get; init; }

    [JsonPropertyName(Keys.PodName)]
    public string? PodName { get; init; }

    /// <summary>The pod network description (opaque to the forwarder here; kept for upstream compatibility).</summary>
    [JsonPropertyName(Keys.PodNetwork)]
    public JsonElement? PodNetwork { get; init; }

    /// <summary>PEM private key of the forwarder's server certificate. Secret: never logged.</summary>
    [JsonPropertyName(Keys.TlsServerKey)]
    public string? TlsServerKey { get; init; }

    /// <summary>PEM server certificate (chain).</summary>
    [JsonPropertyName(Keys.TlsServerCert)]
    public string? TlsServerCert { get; init; }

    /// <summary>PEM CA certificate(s) that issue the adaptor's client certificate.</summary>
    [JsonPropertyName(Keys.TlsClientCa)]
    public string? TlsClientCa { get; init; }

    /// <summary>Minimum TLS version; only "1.3" (or "VersionTLS13") is accepted by this forwarder.</summary>
    [JsonPropertyName(Keys.TlsMinVersion)]
    public string? TlsMinVersion { get; init; }

    [JsonPropertyName(Keys.TlsCipherSuites)]
    public string? TlsCipherSuites { get; init; }

    /// <summary>Serialises to apf.json bytes.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, ForwarderConfigJsonContext.Default.ForwarderConfig);

    /// <summary>
    /// Parses apf.json; unknown keys are ignored (upstream carries more than this forwarder uses), a key given twice
    /// keeps its last value, names are case-sensitive: what the serializer did with this type.
    /// </summary>
    /// <remarks>
    /// Read with <see cref="Utf8JsonReader"/> instead of the serializer: in the NativeAOT guest, the serializer's first
    /// use builds the type's metadata (attributes read through reflection, array types made by the run-time type
    /// loader), which was 10% of the forwarder's CPU from start to ready under QEMU TCG, for eight strings.
    /// </remarks>
    public static ForwarderConfig FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType == JsonTokenType.Null)
            {
                throw new UserDataException(UserDataErrorReason.InvalidContent, "apf.json is null");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid($"the top level is {reader.TokenType}, not an object");
            }

            var config = new ForwarderConfig();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                reader.Read();
                config = key switch
                {
                    Keys.PodNamespace => config with { PodNamespace = ReadString(ref reader, key) },
                    Keys.PodName => config with { PodName = ReadString(ref reader, key) },
                    Keys.PodNetwork => config with { PodNetwork = reader.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref reader) },
                    Keys.TlsServerKey => config with { TlsServerKey = ReadString(ref reader, key) },
                    Keys.TlsServerCert => config with { TlsServerCert = ReadString(ref reader, key) },
                    Keys.TlsClientCa => config with { TlsClientCa = ReadString(ref reader, key) },
                    Keys.TlsMinVersion => config with { TlsMinVersion = ReadString(ref reader, key) },
                    Keys.TlsCipherSuites => config with { TlsCipherSuites = ReadString(ref reader, key) },
                    _ => Skipped(ref reader, config),
                };
            }

            // Anything after the object (a second value, garbage) is refused by the reader here.
            if (reader.Read())
            {
                throw Invalid($"unexpected {reader.TokenType} after the top-level object");
            }

            return config;
        }
        catch (JsonException ex)
        {
            throw Invalid(ex.Message, ex);
        }
    }

    /// <summary>A copy safe to print: the private key is replaced.</summary>
    public ForwarderConfig Redacted() => this with { TlsServerKey = TlsServerKey is null ? null : "<redacted>" };

    private static string? ReadString(ref Utf8JsonReader reader, string key) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw Invalid($"'{key}' must be a string, not {reader.TokenType}"),
    };

    private static ForwarderConfig Skipped(ref Utf8JsonReader reader, ForwarderConfig config)
    {
        reader.Skip();
        return config;
    }

    private static UserDataException Invalid(string reason, Exception? inner = null) =>
        new(UserDataErrorReason.InvalidContent, "apf.json is not valid JSON: " + reason, inner);

    /// <summary>apf.json's key names (upstream's).</summary>
    private static class Keys
    {
        public const string PodNamespace = "pod-namespace";
        public const string PodName = "pod-name";
        public const string PodNetwork = "pod-network";
        public const string TlsServerKey = "tls-server-key";
        public const string TlsServerCert = "tls-server-cert";
        public const string TlsClientCa = "tls-client-ca";
        public const string TlsMinVersion = "tls-min-version";
        public const string TlsCipherSuites = "tls-cipher-suites";
    }
}
