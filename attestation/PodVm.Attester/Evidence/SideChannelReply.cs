using System.Text.Json.Serialization;

namespace PodVm.Attester.Evidence;

/// <summary>Host → guest: the signed report (base64 COSE_Sign1) or an error, with the request's id.</summary>
internal sealed record SideChannelReply
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("report")]
    public string? Report { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }
}
