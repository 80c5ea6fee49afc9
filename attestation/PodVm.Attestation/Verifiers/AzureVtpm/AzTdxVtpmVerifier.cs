using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;
using PodVm.Attestation.Verifiers.Tdx;

namespace PodVm.Attestation.Verifiers.AzureVtpm;

/// <summary>
/// Azure confidential VMs on TDX with the paravisor's vTPM (Trustee az-tdx-vtpm): the TD quote is verified like any
/// TDX quote (to the Intel root, collateral when configured); its REPORTDATA[0:32] must bind the HCL variable data,
/// whose HCLAkPub signs the TPM quote (<see cref="AzureVtpmBinding"/>). Claims: {"tdx": …, "tpm": …, "hcl": …}.
/// </summary>
internal sealed class AzTdxVtpmVerifier : IEvidenceVerifier
{
    private readonly TdxQuoteVerifier _tdx;
    private readonly TimeProvider _time;

    public AzTdxVtpmVerifier(TdxVerifierOptions options, TimeProvider time)
    {
        _tdx = new TdxQuoteVerifier(options);
        _time = time;
    }

    public TeeType Tee => TeeType.AzTdxVtpm;

    public ValueTask<VerificationResult> VerifyAsync(EvidenceToVerify evidence, CancellationToken cancellationToken) =>
        VerifierGuard.RunAsync(Tee, evidence, async () =>
        {
            var decoded = AzureVtpmEvidence.Decode(evidence.Evidence);
            var hcl = HclReport.Parse(decoded.HclReport);
            if (hcl.ReportType != HclReport.ReportTypeTdx)
            {
                throw new VerificationException(VerificationFailureReason.UnsupportedPlatform, "the HCL report does not hold a TD report");
            }

            var quote = TdxQuote.Parse(decoded.TdQuote ?? throw VerificationException.Malformed("az-tdx-vtpm evidence has no td_quote"));
            var tdxClaims = await _tdx.VerifyAsync(quote, evidence.At ?? _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            var claims = AzureVtpmBinding.Verify(decoded, hcl, quote.ReportData, evidence);
            claims["tdx"] = tdxClaims;
            return VerificationResult.Verified(Tee, claims);
        });
}
