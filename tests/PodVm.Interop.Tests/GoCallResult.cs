using System.Text.Json;
using System.Text.Json.Serialization;

namespace PodVm.Interop.Tests;

/// <summary>One JSON line that the Go peer's <c>call</c> mode prints per call.</summary>
internal sealed record GoCallResult
{
    [JsonPropertyName("index")]
    public int Index { get; init; }

    [JsonPropertyName("ok")]
    public bool Ok { get; init; }

    [JsonPropertyName("code")]
    public int Code { get; init; }

    [JsonPropertyName("codeName")]
    public string CodeName { get; init; } = string.Empty;

    [JsonPropertyName("message")]
    public string Message { get; init; } = string.Empty;

    [JsonPropertyName("response")]
    public JsonElement Response { get; init; }

    [JsonPropertyName("elapsedMs")]
    public double ElapsedMs { get; init; }

    /// <summary>A string field of the response, or null when absent (proto3 omits empty strings).</summary>
    public string? ResponseString(string name) =>
        Response.ValueKind == JsonValueKind.Object && Response.TryGetProperty(name, out var value) ? value.GetString() : null;
}
