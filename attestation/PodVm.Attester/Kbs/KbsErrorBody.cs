using System.Text.Json.Serialization;

namespace PodVm.Attester.Kbs;

/// <summary>Trustee's error body: <c>{"type":"https://github.com/confidential-containers/kbs/errors/&lt;Variant&gt;","detail":"…"}</c>.</summary>
internal sealed record KbsErrorBody
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    /// <summary>The variant name at the end of the type URL ("PolicyDeny", "AttestationError", …), or "".</summary>
    public string Variant => Type is { } t && t.LastIndexOf('/') is var i and >= 0 ? t[(i + 1)..] : "";
}
