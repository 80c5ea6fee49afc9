using System.Text.Json.Serialization;

namespace PodVm.Attester.Evidence;

/// <summary>The local development TEE's evidence inside Trustee's tee-evidence: <c>{"report":"&lt;base64 COSE_Sign1&gt;"}</c>.</summary>
internal sealed record LocalDevEvidence([property: JsonPropertyName("report")] string Report);
