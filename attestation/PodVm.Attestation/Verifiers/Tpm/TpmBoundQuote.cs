using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>
/// A vTPM quote whose AK another, already verified report vouches for by digest (the local development TEE's
/// <c>tpm_ak_digest</c>, as Azure's HCL report vouches for HCLAkPub). Evidence in Trustee's <c>tpm</c> layout:
/// <c>{"ak_public": b64 SPKI, "tpm_quote": {"message", "signature", "pcrs": [hex SHA-256 from PCR0]}}</c>.
/// Checks: SHA-256(ak_public) = the vouched digest; the signature over TPMS_ATTEST; the sent PCRs hash to the quoted
/// digest; extraData (at least 32 bytes) = the expected report data regularized to its length; when initdata is
/// expected, PCR8 is quoted and equals SHA-256(0^32 ‖ initdata digest[..32]).
/// </summary>
internal static class TpmBoundQuote
{
    public const int MinExtraDataLength = 32;

    public static JsonObject Verify(JsonElement tpm, ReadOnlySpan<byte> vouchedAkDigest, EvidenceToVerify expected)
    {
        var akSpki = JsonEvidence.Base64(JsonEvidence.Property(tpm, "ak_public", "vTPM evidence"), "tpm.ak_public");
        var akDigest = SHA256.HashData(akSpki);
        if (!akDigest.AsSpan().SequenceEqual(vouchedAkDigest))
        {
            throw new VerificationException(VerificationFailureReason.AttestationKeyUntrusted, $"the vTPM attestation key (sha256 {Hex.Of(akDigest)}) is not the one the report binds ({Hex.Of(vouchedAkDigest)})");
        }

        var quote = JsonEvidence.Property(tpm, "tpm_quote", "vTPM evidence");
        var message = JsonEvidence.Base64(JsonEvidence.Property(quote, "message", "tpm_quote"), "tpm_quote.message");
        var signature = TpmSignature.Parse(JsonEvidence.Base64(JsonEvidence.Property(quote, "signature", "tpm_quote"), "tpm_quote.signature"));
        var pcrList = JsonEvidence.Property(quote, "pcrs", "tpm_quote");
        if (pcrList.ValueKind != JsonValueKind.Array)
        {
            throw VerificationException.Malformed("tpm_quote.pcrs is not an array");
        }

        var bank = TpmQuoteVerifier.BankFromList(TpmHash.Sha256, pcrList.EnumerateArray().Select(p => JsonEvidence.HexString(p, "PCR")).ToList());
        var attest = TpmQuoteVerifier.Verify(message, signature, akSpki, [bank]);
        if (attest.ExtraData.Length < MinExtraDataLength)
        {
            throw new VerificationException(VerificationFailureReason.ReportDataMismatch, $"the quote's extraData is {attest.ExtraData.Length} bytes; at least {MinExtraDataLength} must carry the report data");
        }

        Binding.RequireEqual(attest.ExtraData, expected.ExpectedReportData.Span, attest.ExtraData.Length, VerificationFailureReason.ReportDataMismatch, "TPM extraData");
        var claims = TpmQuoteVerifier.QuoteClaims(attest, [bank]);
        claims["ak_digest"] = Hex.Of(akDigest);
        if (!expected.ExpectedInitDataDigest.IsEmpty)
        {
            var quotesPcr8 = attest.Selections.Any(s => s.HashAlgorithm == TpmHash.Sha256 && s.Pcrs.Contains(8));
            if (!quotesPcr8)
            {
                throw new VerificationException(VerificationFailureReason.InitDataMismatch, "the quote does not cover PCR8 (SHA-256), which binds the initdata");
            }

            TpmInitData.RequirePcr8(bank, expected.ExpectedInitDataDigest.Span);
            claims["init_data_pcr8"] = Hex.Of(TpmInitData.ExpectedPcr8(expected.ExpectedInitDataDigest.Span));
        }

        return claims;
    }
}
