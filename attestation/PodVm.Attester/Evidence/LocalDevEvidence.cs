using System.Text.Json.Serialization;
using PodVm.Attester.Tpm;

namespace PodVm.Attester.Evidence;

/// <summary>
/// The local development TEE's evidence inside Trustee's tee-evidence: <c>{"report":"&lt;base64 COSE_Sign1&gt;"}</c>,
/// plus <c>"tpm"</c> (a quote by the AK whose digest the report carries) when the VM has a vTPM.
/// </summary>
internal sealed record LocalDevEvidence(
    [property: JsonPropertyName("report")] string Report,
    [property: JsonPropertyName("tpm"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TpmEvidence? Tpm = null);
