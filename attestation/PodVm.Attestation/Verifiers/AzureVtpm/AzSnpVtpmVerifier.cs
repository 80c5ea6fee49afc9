using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;
using PodVm.Attestation.Verifiers.Snp;

namespace PodVm.Attestation.Verifiers.AzureVtpm;

/// <summary>
/// Azure confidential VMs on SEV-SNP with the paravisor's vTPM (Trustee az-snp-vtpm): the SNP report inside the HCL
/// report is verified like any SNP report (VCEK from the evidence, embedded AMD roots), then the HCL binding of the
/// vTPM AK and the TPM quote (<see cref="AzureVtpmBinding"/>). Claims: {"snp": …, "tpm": …, "hcl": …}.
/// </summary>
internal sealed class AzSnpVtpmVerifier : IEvidenceVerifier
{
    private readonly SnpReportVerifier _snp;
    private readonly TimeProvider _time;

    public AzSnpVtpmVerifier(SnpVerifierOptions options, TimeProvider time)
    {
        _snp = new SnpReportVerifier(options);
        _time = time;
    }

    public TeeType Tee => TeeType.AzSnpVtpm;

    public ValueTask<VerificationResult> VerifyAsync(EvidenceToVerify evidence, CancellationToken cancellationToken) =>
        VerifierGuard.RunAsync(Tee, evidence, async () =>
        {
            var decoded = AzureVtpmEvidence.Decode(evidence.Evidence);
            var hcl = HclReport.Parse(decoded.HclReport);
            if (hcl.ReportType != HclReport.ReportTypeSnp)
            {
                throw new VerificationException(VerificationFailureReason.UnsupportedPlatform, "the HCL report does not hold an SNP report");
            }

            var report = SnpReport.Parse(hcl.HardwareReport);
            var certificates = new List<ReadOnlyMemory<byte>>();
            if (decoded.Vcek is not null)
            {
                certificates.Add(decoded.Vcek);
            }

            certificates.AddRange(evidence.Certificates);
            var at = evidence.At ?? _time.GetUtcNow();
            var snpClaims = await _snp.VerifyAsync(report, certificates, at, cancellationToken).ConfigureAwait(false);
            var claims = AzureVtpmBinding.Verify(decoded, hcl, report.ReportData, evidence);
            claims["snp"] = snpClaims;
            return VerificationResult.Verified(Tee, claims);
        });
}
