using System.Text;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Snp;

namespace PodVm.Attestation.Tests.Verifiers.Snp;

/// <summary>
/// The SNP chain cache must only save work, never change a verdict: after a good report warmed the cache with its
/// certificates, tampered reports, wrong times, mismatched reports and altered certificates are still rejected for
/// the same reason as with a cold verifier.
/// </summary>
public sealed class SnpChainCacheTests
{
    private const string MilanReport = "trustee-snp/test-report.bin";
    private const string MilanVcek = "trustee-snp/test-vcek.der";
    private const string VlekReport = "trustee-snp/test-vlek-report.bin";
    private const string Vlek = "trustee-snp/test-vlek.der";
    private const string GenoaReport = "trustee-snp/e2e-genoa-report.DERIVED.bin";
    private const string GenoaVcek = "trustee-snp/e2e-genoa-vcek.DERIVED.der";
    private const string GenoaJson = "trustee-snp/e2e-genoa-evidence.json";
    private const string VirteeReport = "virtee-sev/report_milan.hex";
    private const string VirteeVcek = "virtee-sev/vcek_milan.der";
    private const string VirteeChain = "virtee-sev/cert_chain_milan.pem";

    public static TheoryData<string, string, string?> BinaryVectors => new()
    {
        { MilanReport, MilanVcek, null },
        { VlekReport, Vlek, null },
        { GenoaReport, GenoaVcek, null },
        { VirteeReport, VirteeVcek, VirteeChain },
    };

    private static IEvidenceVerifier CreateVerifier() => EvidenceVerifiers.CreateSnp(new SnpVerifierOptions(), TimeProvider.System);

    private static byte[] Binary(string report)
    {
        var bytes = Vectors.Bytes(report);
        return bytes.Length == SnpReport.Size ? bytes : Convert.FromHexString(Encoding.ASCII.GetString(bytes).Trim());
    }

    private static EvidenceToVerify Evidence(byte[] report, string vek, string? chain) => new()
    {
        Evidence = report,
        At = Vectors.SnpTime,
        Certificates = [.. new[] { vek, chain }.Where(p => p is not null).Select(p => (ReadOnlyMemory<byte>)Vectors.Bytes(p!))],
    };

    private static async Task<VerificationResult> VerifyAsync(IEvidenceVerifier verifier, EvidenceToVerify evidence) =>
        await verifier.VerifyAsync(evidence, CancellationToken.None).AsTask().DefaultTimeout();

    private static async Task<IEvidenceVerifier> WarmAsync(EvidenceToVerify good)
    {
        var verifier = CreateVerifier();
        var warm = await VerifyAsync(verifier, good);
        Assert.True(warm.IsVerified, warm.Failure?.ToString());
        return verifier;
    }

    private static void AssertRejected(VerificationResult result, VerificationFailureReason reason)
    {
        Assert.False(result.IsVerified, "expected a rejection");
        Assert.True(reason == result.Failure!.Reason, $"expected {reason}, got {result.Failure}");
    }

    [Theory]
    [MemberData(nameof(BinaryVectors))]
    public async Task VerifyAsync_WarmCacheThenFlippedBitInSignedBody_RejectedSignatureInvalid(string report, string vek, string? chain)
    {
        var good = Evidence(Binary(report), vek, chain);
        var verifier = await WarmAsync(good);

        var tampered = await VerifyAsync(verifier, good with { Evidence = Vectors.FlipBit(Binary(report), 0x90) });
        var again = await VerifyAsync(verifier, good);

        AssertRejected(tampered, VerificationFailureReason.SignatureInvalid);
        Assert.True(again.IsVerified, again.Failure?.ToString());
    }

    [Theory]
    [MemberData(nameof(BinaryVectors))]
    public async Task VerifyAsync_WarmCacheThenFlippedBitInSignature_RejectedSignatureInvalid(string report, string vek, string? chain)
    {
        var good = Evidence(Binary(report), vek, chain);
        var verifier = await WarmAsync(good);

        var tampered = await VerifyAsync(verifier, good with { Evidence = Vectors.FlipBit(Binary(report), 0x2E8 + 3) });

        AssertRejected(tampered, VerificationFailureReason.SignatureInvalid);
    }

    [Theory]
    [MemberData(nameof(BinaryVectors))]
    public async Task VerifyAsync_WarmCacheThenTimeOutsideValidity_RejectedCertificateExpired(string report, string vek, string? chain)
    {
        var good = Evidence(Binary(report), vek, chain);
        var verifier = await WarmAsync(good);

        var after = await VerifyAsync(verifier, good with { At = new DateTimeOffset(2049, 1, 1, 0, 0, 0, TimeSpan.Zero) });
        var before = await VerifyAsync(verifier, good with { At = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero) });
        var inside = await VerifyAsync(verifier, good);

        AssertRejected(after, VerificationFailureReason.CertificateExpired);
        AssertRejected(before, VerificationFailureReason.CertificateExpired);
        Assert.True(inside.IsVerified, inside.Failure?.ToString());
    }

    [Fact]
    public async Task VerifyAsync_WarmCacheThenVlekAfterItsOneYear_RejectedCertificateExpired()
    {
        var good = Evidence(Binary(VlekReport), Vlek, null);
        var verifier = await WarmAsync(good);

        var result = await VerifyAsync(verifier, good with { At = new DateTimeOffset(2025, 12, 11, 0, 0, 0, TimeSpan.Zero) });

        AssertRejected(result, VerificationFailureReason.CertificateExpired);
    }

    [Fact]
    public async Task VerifyAsync_WarmMilanVcekThenReportOfAnotherChip_RejectedSignatureInvalid()
    {
        var verifier = await WarmAsync(Evidence(Binary(VirteeReport), VirteeVcek, null));

        // The virtee VCEK is chain-valid and cached; the Milan test report is from another chip.
        var result = await VerifyAsync(verifier, Evidence(Binary(MilanReport), VirteeVcek, null));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Fact]
    public async Task VerifyAsync_WarmMilanVcekThenGenoaReport_RejectedCertificateChainInvalid()
    {
        var verifier = await WarmAsync(Evidence(Binary(MilanReport), MilanVcek, null));

        var result = await VerifyAsync(verifier, Evidence(Binary(GenoaReport), MilanVcek, null));

        AssertRejected(result, VerificationFailureReason.CertificateChainInvalid);
    }

    [Fact]
    public async Task VerifyAsync_WarmVcekThenVlekReportWithThatVcek_RejectedCertificateChainInvalid()
    {
        var verifier = await WarmAsync(Evidence(Binary(MilanReport), MilanVcek, null));

        var result = await VerifyAsync(verifier, Evidence(Binary(VlekReport), MilanVcek, null));

        AssertRejected(result, VerificationFailureReason.CertificateChainInvalid);
    }

    [Fact]
    public async Task VerifyAsync_WarmCacheThenVcekWithFlippedSignatureBit_RejectedCertificateChainInvalid()
    {
        var good = Evidence(Binary(MilanReport), MilanVcek, null);
        var verifier = await WarmAsync(good);
        var vcek = Vectors.Bytes(MilanVcek);

        // The last bytes of the DER are the ASK's RSA-PSS signature over the VCEK.
        var result = await VerifyAsync(verifier, good with { Certificates = [Vectors.FlipBit(vcek, vcek.Length - 10)] });

        AssertRejected(result, VerificationFailureReason.CertificateChainInvalid);
    }

    [Fact]
    public async Task VerifyAsync_WarmCacheThenCaChainOfAnotherProduct_RejectedCertificateChainInvalid()
    {
        var good = Evidence(Binary(MilanReport), MilanVcek, null);
        var verifier = await WarmAsync(good);

        var result = await VerifyAsync(verifier, good with { Certificates = [.. good.Certificates, Vectors.Bytes("virtee-sev/cert_chain_turin.pem")] });

        AssertRejected(result, VerificationFailureReason.CertificateChainInvalid);
    }

    [Fact]
    public async Task VerifyAsync_WarmCacheThenWrongReportData_RejectedReportDataMismatch()
    {
        var good = Evidence(Binary(GenoaReport), GenoaVcek, null);
        var verifier = await WarmAsync(good);

        var result = await VerifyAsync(verifier, good with { ExpectedReportData = new byte[48] });

        AssertRejected(result, VerificationFailureReason.ReportDataMismatch);
    }

    [Fact]
    public async Task VerifyAsync_TrusteeJsonWarmThenBodyChanged_RejectedSignatureInvalid()
    {
        var json = Vectors.Text(GenoaJson);
        var verifier = await WarmAsync(new EvidenceToVerify { Evidence = Encoding.UTF8.GetBytes(json), At = Vectors.SnpTime });

        var changed = json.Replace("\"guest_svn\":0", "\"guest_svn\":1", StringComparison.Ordinal);
        Assert.NotEqual(json, changed);
        var result = await VerifyAsync(verifier, new EvidenceToVerify { Evidence = Encoding.UTF8.GetBytes(changed), At = Vectors.SnpTime });

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Fact]
    public async Task VerifyAsync_SameCertificatesTwice_ChainVerifiedOnceAndCached()
    {
        var reports = new SnpReportVerifier(new SnpVerifierOptions());
        ReadOnlyMemory<byte>[] certificates = [Vectors.Bytes(MilanVcek)];
        var report = SnpReport.Parse(Binary(MilanReport));

        await reports.VerifyAsync(report, certificates, Vectors.SnpTime, CancellationToken.None).AsTask().DefaultTimeout();
        await reports.VerifyAsync(report, [Vectors.Bytes(MilanVcek)], Vectors.SnpTime, CancellationToken.None).AsTask().DefaultTimeout();

        Assert.Equal(1, reports.CachedChains);
    }

    [Fact]
    public async Task VerifyAsync_InvalidChain_NotCached()
    {
        var reports = new SnpReportVerifier(new SnpVerifierOptions());
        var report = SnpReport.Parse(Binary(MilanReport));

        for (var i = 0; i < 2; i++)
        {
            var e = await Assert.ThrowsAsync<PodVm.Attestation.Verifiers.Common.VerificationException>(async () =>
                await reports.VerifyAsync(report, [Vectors.Bytes("trustee-snp/test-vcek-invalid-new.der")], Vectors.SnpTime, CancellationToken.None).AsTask().DefaultTimeout());
            Assert.Equal(VerificationFailureReason.CertificateChainInvalid, e.Reason);
        }

        Assert.Equal(0, reports.CachedChains);
    }

    [Fact]
    public async Task VerifyAsync_ConcurrentGoodAndTamperedOnOneChain_EachGetsItsOwnVerdict()
    {
        var good = Evidence(Binary(MilanReport), MilanVcek, null);
        var tampered = good with { Evidence = Vectors.FlipBit(Binary(MilanReport), 0x90) };
        var verifier = CreateVerifier();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => VerifyAsync(verifier, i % 2 == 0 ? good : tampered)))).DefaultTimeout();

        for (var i = 0; i < results.Length; i++)
        {
            if (i % 2 == 0)
            {
                Assert.True(results[i].IsVerified, results[i].Failure?.ToString());
            }
            else
            {
                AssertRejected(results[i], VerificationFailureReason.SignatureInvalid);
            }
        }
    }
}
