using System.Text.Json.Serialization;

namespace PodVm.Attester.Tpm;

/// <summary>The quote part of <see cref="TpmEvidence"/>; <c>pcrs</c> lists PCR 0 upwards, every quoted PCR included.</summary>
internal sealed record TpmQuoteEvidence(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("signature")] string Signature,
    [property: JsonPropertyName("pcrs")] IReadOnlyList<string> Pcrs);
