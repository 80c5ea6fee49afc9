using System.Text;
using System.Text.Json;
using PodVm.Attestation.Verifiers.Common;
using PodVm.Attestation.Verifiers.Tpm;

namespace PodVm.Attestation.Verifiers.AzureVtpm;

/// <summary>
/// Trustee's az-snp-vtpm / az-tdx-vtpm evidence in its versions: v0 (serde byte arrays, "quote"/"report" or
/// "tpm_quote"/"hcl_report", PEM VCEK) and v1/v2 (<c>version</c>, hex TPM quote, base64url HCL report, VCEK and TD quote).
/// </summary>
internal sealed record AzureVtpmEvidence(int Version, byte[] QuoteMessage, byte[] QuoteSignature, TpmPcrBank Pcrs, byte[] HclReport, byte[]? Vcek, byte[]? TdQuote)
{
    public static AzureVtpmEvidence Decode(ReadOnlyMemory<byte> json)
    {
        using var document = JsonEvidence.Parse(json, "Azure vTPM evidence");
        var root = document.RootElement;
        var version = JsonEvidence.OptionalProperty(root, "version") is { } v ? checked((int)JsonEvidence.UInt64(v, "version")) : 0;
        var quote = JsonEvidence.OptionalProperty(root, "tpm_quote") ?? JsonEvidence.Property(root, "quote", "Azure vTPM evidence");
        var message = JsonEvidence.Bytes(JsonEvidence.Property(quote, "message", "tpm_quote"), "tpm_quote.message");
        var signature = JsonEvidence.Bytes(JsonEvidence.Property(quote, "signature", "tpm_quote"), "tpm_quote.signature");
        var pcrList = JsonEvidence.Property(quote, "pcrs", "tpm_quote");
        if (pcrList.ValueKind != JsonValueKind.Array)
        {
            throw VerificationException.Malformed("tpm_quote.pcrs is not an array");
        }

        var pcrs = TpmQuoteVerifier.BankFromList(TpmHash.Sha256, pcrList.EnumerateArray().Select(p => JsonEvidence.Bytes(p, "PCR")).ToList());
        var hcl = JsonEvidence.Bytes(JsonEvidence.OptionalProperty(root, "hcl_report") ?? JsonEvidence.Property(root, "report", "Azure vTPM evidence"), "hcl_report");
        byte[]? vcek = null;
        if (JsonEvidence.OptionalProperty(root, "vcek") is { } vcekElement)
        {
            var text = JsonEvidence.String(vcekElement, "vcek");
            vcek = text.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal) ? Encoding.ASCII.GetBytes(text) : JsonEvidence.DecodeBase64(text, "vcek");
        }

        var tdQuote = JsonEvidence.OptionalProperty(root, "td_quote") is { } td ? JsonEvidence.Bytes(td, "td_quote") : null;
        return new AzureVtpmEvidence(version, message, signature, pcrs, hcl, vcek, tdQuote);
    }
}
