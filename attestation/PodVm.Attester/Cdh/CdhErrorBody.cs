using System.Text.Json.Serialization;

namespace PodVm.Attester.Cdh;

/// <summary>The JSON body of every error answer: <c>{"error":"…"}</c>.</summary>
internal sealed record CdhErrorBody([property: JsonPropertyName("error")] string Error);
