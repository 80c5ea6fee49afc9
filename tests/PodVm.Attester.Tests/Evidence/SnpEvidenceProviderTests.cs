using System.Text.Json;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Snp;
using PodVm.Attester.Evidence;

namespace PodVm.Attester.Tests.Evidence;

public sealed class SnpEvidenceProviderTests
{
    public static TheoryData<string, string, string> Reports => new()
    {
        { "trustee-snp/test-report.bin", "trustee-snp/test-vcek.der", "VCEK" },
        { "trustee-snp/test-vlek-report.bin", "trustee-snp/test-vlek.der", "VLEK" },
        { "trustee-snp/e2e-genoa-report.DERIVED.bin", "trustee-snp/e2e-genoa-vcek.DERIVED.der", "VCEK" },
    };

    [Theory]
    [MemberData(nameof(Reports))]
    public async Task GetEvidenceAsync_ConfigFsTsmWithRealReport_VerifiesWithTheKbsSnpVerifier(string reportPath, string vekPath, string vekType)
    {
        var report = TestVectors.Bytes(reportPath);
        var vek = TestVectors.Bytes(vekPath);
        using var dir = new TempDirectory();
        var kernel = new FakeTsmKernel("sev_guest", report, SnpCertTable.Build([(SnpCertTable.GuidOf(vekType), vek)]));
        var provider = new SnpEvidenceProvider(new TsmReportClient(dir.Path, kernel), new SevGuestDevice(dir.Combine("no-sev-guest")));
        var ourReportData = Enumerable.Range(0, 64).Select(i => (byte)(i * 3)).ToArray();

        var evidence = await provider.GetEvidenceAsync(ourReportData, CancellationToken.None).DefaultTimeout();

        Assert.Equal("snp", provider.Tee);
        Assert.Equal(ourReportData, kernel.LastInBlob);
        using (var json = JsonDocument.Parse(evidence))
        {
            Assert.Equal(vekType, json.RootElement.GetProperty("cert_chain")[0].GetProperty("cert_type").GetString());
        }

        // The fake kernel answers with a recorded report, so its REPORT_DATA is the vector's, not ours.
        var verifier = EvidenceVerifiers.CreateSnp(new SnpVerifierOptions(), TimeProvider.System);
        var verified = await verifier.VerifyAsync(new EvidenceToVerify { Evidence = evidence, At = TestVectors.SnpTime, ExpectedReportData = report.AsMemory(0x50, 64) }, CancellationToken.None).AsTask().DefaultTimeout();
        Assert.True(verified.IsVerified, verified.Failure?.ToString());
        Assert.Equal(Convert.ToHexStringLower(report.AsSpan(0x90, 48)), (string?)verified.Claims["measurement"]);

        var mismatch = await verifier.VerifyAsync(new EvidenceToVerify { Evidence = evidence, At = TestVectors.SnpTime, ExpectedReportData = ourReportData }, CancellationToken.None).AsTask().DefaultTimeout();
        Assert.False(mismatch.IsVerified);
        Assert.Equal(VerificationFailureReason.ReportDataMismatch, mismatch.Failure!.Reason);
    }

    [Fact]
    public void Write_GenoaReport_MatchesTrusteeEvidenceJsonReport()
    {
        var report = TestVectors.Bytes("trustee-snp/e2e-genoa-report.DERIVED.bin");
        using var expected = JsonDocument.Parse(TestVectors.Text("trustee-snp/e2e-genoa-evidence.json"));

        using var actual = JsonDocument.Parse(SnpEvidenceWriter.Write(report, null));

        var e = expected.RootElement.GetProperty("attestation_report");
        var a = actual.RootElement.GetProperty("attestation_report");
        foreach (var property in e.EnumerateObject())
        {
            Assert.True(a.TryGetProperty(property.Name, out var value), $"missing {property.Name}");
            Assert.True(JsonElement.DeepEquals(property.Value, value), $"{property.Name}: expected {property.Value}, got {value}");
        }

        Assert.Equal(JsonValueKind.Null, actual.RootElement.GetProperty("cert_chain").ValueKind);
    }

    [Fact]
    public async Task GetEvidenceAsync_TsmOfAnotherProvider_IsUnavailable()
    {
        using var dir = new TempDirectory();
        var provider = new SnpEvidenceProvider(new TsmReportClient(dir.Path, new FakeTsmKernel("tdx_guest", [1])), new SevGuestDevice(dir.Combine("x")));

        var ex = await Assert.ThrowsAsync<EvidenceException>(() => provider.GetEvidenceAsync(new byte[64], CancellationToken.None)).DefaultTimeout();

        Assert.Equal(EvidenceErrorReason.Unavailable, ex.Reason);
    }

    [Fact]
    public async Task GetEvidenceAsync_NeitherTsmNorDevice_IsUnavailable()
    {
        using var dir = new TempDirectory();
        var provider = new SnpEvidenceProvider(new TsmReportClient(dir.Combine("no-tsm"), ConfigFsTsmFileSystem.Instance), new SevGuestDevice(dir.Combine("no-dev")));

        var ex = await Assert.ThrowsAsync<EvidenceException>(() => provider.GetEvidenceAsync(new byte[64], CancellationToken.None)).DefaultTimeout();

        Assert.Equal(EvidenceErrorReason.Unavailable, ex.Reason);
        Assert.Contains("not an SEV-SNP guest", ex.Message);
    }

    [Fact]
    public void Write_ShortReport_IsMalformed() =>
        Assert.Equal(EvidenceErrorReason.Malformed, Assert.Throws<EvidenceException>(() => SnpEvidenceWriter.Write(new byte[100], null)).Reason);
}
