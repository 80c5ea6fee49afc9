using System.Text.Json;
using System.Text.Json.Serialization;

namespace PodVm.PodVmConfig;

/// <summary>
/// The forwarder configuration, <c>/run/peerpod/apf.json</c>, with upstream's key names. TLS material is either
/// inline PEM (upstream's form) or, when empty, read from the files under <c>/run/peerpod/tls/</c>.
/// </summary>
public sealed record ForwarderConfig
{
    [JsonPropertyName("pod-namespace")]
    public string? PodNamespace { get; init; }

    [JsonPropertyName("pod-name")]
    public string? PodName { get; init; }

    /// <summary>The pod network description (opaque to the forwarder here; kept for upstream compatibility).</summary>
    [JsonPropertyName("pod-network")]
    public JsonElement? PodNetwork { get; init; }

    /// <summary>PEM private key of the forwarder's server certificate. Secret: never logged.</summary>
    [JsonPropertyName("tls-server-key")]
    public string? TlsServerKey { get; init; }

    /// <summary>PEM server certificate (chain).</summary>
    [JsonPropertyName("tls-server-cert")]
    public string? TlsServerCert { get; init; }

    /// <summary>PEM CA certificate(s) that issue the adaptor's client certificate.</summary>
    [JsonPropertyName("tls-client-ca")]
    public string? TlsClientCa { get; init; }

    /// <summary>Minimum TLS version; only "1.3" (or "VersionTLS13") is accepted by this forwarder.</summary>
    [JsonPropertyName("tls-min-version")]
    public string? TlsMinVersion { get; init; }

    [JsonPropertyName("tls-cipher-suites")]
    public string? TlsCipherSuites { get; init; }

    /// <summary>Serialises to apf.json bytes.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, ForwarderConfigJsonContext.Default.ForwarderConfig);

    /// <summary>Parses apf.json; unknown keys are ignored (upstream carries more than this forwarder uses).</summary>
    public static ForwarderConfig FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, ForwarderConfigJsonContext.Default.ForwarderConfig)
                ?? throw new UserDataException(UserDataErrorReason.InvalidContent, "apf.json is null");
        }
        catch (JsonException ex)
        {
            throw new UserDataException(UserDataErrorReason.InvalidContent, "apf.json is not valid JSON: " + ex.Message, ex);
        }
    }

    /// <summary>A copy safe to print: the private key is replaced.</summary>
    public ForwarderConfig Redacted() => this with { TlsServerKey = TlsServerKey is null ? null : "<redacted>" };
}
