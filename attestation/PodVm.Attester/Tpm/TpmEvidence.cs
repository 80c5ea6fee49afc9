using System.Text.Json.Serialization;

namespace PodVm.Attester.Tpm;

/// <summary>
/// A vTPM quote as Trustee's <c>tpm</c> evidence carries it: <c>{"ak_public": b64 DER SPKI, "tpm_quote":
/// {"message": b64 TPMS_ATTEST, "signature": b64 TPMT_SIGNATURE, "pcrs": [hex SHA-256 PCR0, PCR1, …]}}</c>.
/// </summary>
internal sealed record TpmEvidence(
    [property: JsonPropertyName("ak_public")] string AkPublic,
    [property: JsonPropertyName("tpm_quote")] TpmQuoteEvidence Quote);
