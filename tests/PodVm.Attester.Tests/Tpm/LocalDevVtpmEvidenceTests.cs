using System.Security.Cryptography;
using System.Text.Json;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.LocalDev;
using PodVm.Attester.Evidence;
using PodVm.Attester.Tpm;

namespace PodVm.Attester.Tests.Tpm;

/// <summary>
/// Local development TEE evidence with a vTPM, built from a real TPM (swtpm) and a report signed as the local provider
/// signs it, checked by the local-dev verifier: the report's tpm_ak_digest vouches for the quoting AK, the quote's
/// nonce is the report data, and PCR8 must be the binding of the initdata the KBS received.
/// </summary>
public sealed class LocalDevVtpmEvidenceTests : IDisposable
{
    private static readonly byte[] InitDataDigest = SHA384.HashData("version = \"0.1.0\"\n# this pod\n"u8);
    private static readonly byte[] OtherInitDataDigest = SHA384.HashData("version = \"0.1.0\"\n# another pod\n"u8);
    private readonly ECDsa _platform = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public void Dispose() => _platform.Dispose();

    [Fact]
    public async Task VerifyAsync_QuoteFromTpmBoundToThisInitData_VerifiedWithTpmClaims()
    {
        var (evidence, reportData) = await EvidenceAsync(pcr8InitData: InitDataDigest, akInReport: null);

        var result = await VerifyAsync(evidence, reportData);

        Assert.True(result.IsVerified, result.Failure?.ToString());
        var tpm = result.Claims!["tpm"]!;
        var binding = Convert.ToHexStringLower(VtpmAttester.ExpectedPcr8(InitDataDigest));
        Assert.Equal(binding, (string?)tpm["init_data_pcr8"]);
        Assert.Equal(binding, (string?)tpm["pcrs"]!["sha256"]!["8"]);
        Assert.Equal(10, tpm["pcrs"]!["sha256"]!.AsObject().Count);
        Assert.Equal((string?)result.Claims["tpm_ak_digest"], (string?)tpm["ak_digest"]);
    }

    [Fact]
    public async Task VerifyAsync_Pcr8ExtendedWithOtherInitData_RejectedInitDataMismatch()
    {
        var (evidence, reportData) = await EvidenceAsync(pcr8InitData: OtherInitDataDigest, akInReport: null);

        var result = await VerifyAsync(evidence, reportData);

        Assert.Equal(VerificationFailureReason.InitDataMismatch, result.Failure?.Reason);
        Assert.Contains("PCR8", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_ReportBindsAnotherAk_RejectedAttestationKeyUntrusted()
    {
        var (evidence, reportData) = await EvidenceAsync(pcr8InitData: InitDataDigest, akInReport: SHA256.HashData("another key"u8));

        var result = await VerifyAsync(evidence, reportData);

        Assert.Equal(VerificationFailureReason.AttestationKeyUntrusted, result.Failure?.Reason);
    }

    [Fact]
    public async Task VerifyAsync_QuoteWithoutReportAkDigest_RejectedAttestationKeyUntrusted()
    {
        var (evidence, reportData) = await EvidenceAsync(pcr8InitData: InitDataDigest, akInReport: []);

        var result = await VerifyAsync(evidence, reportData);

        Assert.Equal(VerificationFailureReason.AttestationKeyUntrusted, result.Failure?.Reason);
    }

    private async Task<VerificationResult> VerifyAsync(byte[] evidence, byte[] reportData) =>
        await EvidenceVerifiers.CreateLocalDev(new LocalDevTeeVerifierOptions { TrustedPlatformKeys = [_platform.ExportSubjectPublicKeyInfo()] }, TimeProvider.System)
            .VerifyAsync(new EvidenceToVerify { Evidence = evidence, ExpectedReportData = reportData, ExpectedInitDataDigest = InitDataDigest }, TestContext.Current.CancellationToken)
            .AsTask().DefaultTimeout();

    /// <summary>
    /// A guest whose vTPM PCR8 was extended with <paramref name="pcr8InitData"/>: its quote over fresh report data, and
    /// the report the provider signs for this pod's initdata naming <paramref name="akInReport"/> (null = the real AK,
    /// empty = none).
    /// </summary>
    private async Task<(byte[] Evidence, byte[] ReportData)> EvidenceAsync(byte[] pcr8InitData, byte[]? akInReport)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var swtpm = await SwtpmServer.StartAsync(ct).DefaultTimeout();
        using var vtpm = await VtpmAttester.StartAsync(await swtpm.ConnectAsync(ct), pcr8InitData, ct).DefaultTimeout();
        var reportData = RandomNumberGenerator.GetBytes(64);
        var quote = await vtpm.QuoteAsync(reportData, ct).DefaultTimeout();
        var akDigest = akInReport ?? SHA256.HashData(vtpm.AkSubjectPublicKeyInfo);
        var report = new LocalDevTeeReportSigner(_platform).Sign(new LocalDevTeeReport
        {
            Measurement = LocalDevTeeMeasurement.Compute("kernel"u8, "initrd"u8, "console=ttyS0"),
            HostData = InitDataDigest.AsMemory(0, 32),
            ReportData = reportData,
            TpmAkDigest = akDigest.Length == 0 ? null : akDigest,
            Timestamp = DateTimeOffset.UtcNow,
        });
        var evidence = JsonSerializer.SerializeToUtf8Bytes(new LocalDevEvidence(Convert.ToBase64String(report), quote), AttesterJsonContext.Default.LocalDevEvidence);
        return (evidence, reportData);
    }
}
