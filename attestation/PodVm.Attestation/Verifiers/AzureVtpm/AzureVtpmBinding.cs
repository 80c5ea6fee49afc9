using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;
using PodVm.Attestation.Verifiers.Tpm;

namespace PodVm.Attestation.Verifiers.AzureVtpm;

/// <summary>
/// The checks both Azure vTPM verifiers share once the hardware report is verified: the hardware REPORT_DATA[0:32]
/// binds the HCL variable data, whose HCLAkPub signs the TPM quote (RSASSA SHA-256), the PCRs hash to the quoted
/// digest, extraData carries the expected report data (and v2's user-data starts with it), PCR8 the initdata.
/// </summary>
internal static class AzureVtpmBinding
{
    public static JsonObject Verify(AzureVtpmEvidence evidence, HclReport hcl, ReadOnlySpan<byte> hardwareReportData, EvidenceToVerify expected)
    {
        var digest = hcl.VariableDataDigest();
        if (!hardwareReportData[..32].SequenceEqual(digest))
        {
            throw new VerificationException(VerificationFailureReason.AttestationKeyUntrusted, $"the hardware report does not bind the HCL variable data (REPORT_DATA[0:32] {Hex.Of(hardwareReportData[..32])}, SHA-256 of the data {Hex.Of(digest)})");
        }

        var ak = hcl.AkSubjectPublicKeyInfo();
        var attest = TpmQuoteVerifier.Verify(evidence.QuoteMessage, TpmSignature.RawRsaSsaSha256(evidence.QuoteSignature), ak, [evidence.Pcrs]);
        Binding.RequireEqual(attest.ExtraData, expected.ExpectedReportData.Span, attest.ExtraData.Length, VerificationFailureReason.ReportDataMismatch, "TPM extraData");
        var userData = hcl.UserData();
        if (evidence.Version >= 2 && !expected.ExpectedReportData.IsEmpty)
        {
            var length = Math.Min(expected.ExpectedReportData.Length, userData.Length);
            if (!userData.AsSpan(0, length).SequenceEqual(expected.ExpectedReportData.Span[..length]))
            {
                throw new VerificationException(VerificationFailureReason.ReportDataMismatch, "the HCL user-data does not start with the expected report data");
            }
        }

        if (!expected.ExpectedInitDataDigest.IsEmpty)
        {
            TpmInitData.RequirePcr8(evidence.Pcrs, expected.ExpectedInitDataDigest.Span);
        }

        var tpm = TpmQuoteVerifier.QuoteClaims(attest, [evidence.Pcrs]);
        tpm["ak_digest"] = Hex.Of(System.Security.Cryptography.SHA256.HashData(ak));
        return new JsonObject
        {
            ["evidence_version"] = evidence.Version,
            ["tpm"] = tpm,
            ["hcl"] = new JsonObject
            {
                ["var_data_sha256"] = Hex.Of(digest),
                ["user_data"] = Hex.Of(userData),
                ["vm_configuration"] = hcl.VmConfiguration(),
            },
        };
    }
}
