using System.Text.Json;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Tdx;
using PodVm.Attester.Evidence;

namespace PodVm.Attester.Tests.Evidence;

public sealed class TdxEvidenceProviderTests
{
    [Theory]
    [InlineData("trustee-tdx/tdx_quote_4.dat")]
    [InlineData("trustee-tdx/tdx_quote_5.dat")]
    public async Task GetEvidenceAsync_ConfigFsTsmWithRealQuote_VerifiesWithTheKbsTdxVerifier(string quotePath)
    {
        var quote = TestVectors.Bytes(quotePath);
        using var dir = new TempDirectory();
        var kernel = new FakeTsmKernel("tdx_guest", quote);
        var provider = new TdxEvidenceProvider(new TsmReportClient(dir.Path, kernel), dir.Combine("no-ccel"));
        var ourReportData = Enumerable.Range(0, 64).Select(i => (byte)(255 - i)).ToArray();

        var evidence = await provider.GetEvidenceAsync(ourReportData, CancellationToken.None).DefaultTimeout();

        Assert.Equal("tdx", provider.Tee);
        Assert.Equal(ourReportData, kernel.LastInBlob);
        using (var json = JsonDocument.Parse(evidence))
        {
            Assert.Equal(quote, Convert.FromBase64String(json.RootElement.GetProperty("quote").GetString()!));
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("cc_eventlog").ValueKind);
        }

        var verifier = EvidenceVerifiers.CreateTdx(new TdxVerifierOptions(), TimeProvider.System);
        var unbound = await verifier.VerifyAsync(new EvidenceToVerify { Evidence = evidence, At = TestVectors.TdxTime }, CancellationToken.None).AsTask().DefaultTimeout();
        Assert.True(unbound.IsVerified, unbound.Failure?.ToString());
        var vectorReportData = Convert.FromHexString((string)unbound.Claims["report_data"]!);

        var bound = await verifier.VerifyAsync(new EvidenceToVerify { Evidence = evidence, At = TestVectors.TdxTime, ExpectedReportData = vectorReportData }, CancellationToken.None).AsTask().DefaultTimeout();
        Assert.True(bound.IsVerified, bound.Failure?.ToString());

        var mismatch = await verifier.VerifyAsync(new EvidenceToVerify { Evidence = evidence, At = TestVectors.TdxTime, ExpectedReportData = ourReportData }, CancellationToken.None).AsTask().DefaultTimeout();
        Assert.Equal(VerificationFailureReason.ReportDataMismatch, mismatch.Failure!.Reason);
    }

    [Fact]
    public async Task GetEvidenceAsync_CcEventLogPresent_IsSentBase64()
    {
        using var dir = new TempDirectory();
        var ccel = dir.Combine("CCEL");
        await File.WriteAllBytesAsync(ccel, [1, 2, 3]);
        var provider = new TdxEvidenceProvider(new TsmReportClient(dir.Combine("tsm"), new FakeTsmKernel("tdx_guest", [7])), ccel);
        Directory.CreateDirectory(dir.Combine("tsm"));

        using var json = JsonDocument.Parse(await provider.GetEvidenceAsync(new byte[64], CancellationToken.None).DefaultTimeout());

        Assert.Equal("AQID", json.RootElement.GetProperty("cc_eventlog").GetString());
    }

    [Fact]
    public async Task GetEvidenceAsync_SevProvider_IsUnavailable()
    {
        using var dir = new TempDirectory();
        var provider = new TdxEvidenceProvider(new TsmReportClient(dir.Path, new FakeTsmKernel("sev_guest", [7])), dir.Combine("x"));

        var ex = await Assert.ThrowsAsync<EvidenceException>(() => provider.GetEvidenceAsync(new byte[64], CancellationToken.None)).DefaultTimeout();

        Assert.Equal(EvidenceErrorReason.Unavailable, ex.Reason);
    }
}
