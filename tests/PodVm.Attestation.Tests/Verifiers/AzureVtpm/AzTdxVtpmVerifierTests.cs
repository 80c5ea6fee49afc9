using System.Text;
using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Tdx;

namespace PodVm.Attestation.Tests.Verifiers.AzureVtpm;

public sealed class AzTdxVtpmVerifierTests
{
    private const string Nonce = "6368616c6c656e6765";
    private const string Pcr0 = "782b20b10f55cc46e2142cc2145d548698073e5beb82752c8d7f9279f0d8a273";

    private static async Task<VerificationResult> VerifyAsync(byte[] evidence, byte[]? nonce = null, DateTimeOffset? at = null) =>
        await EvidenceVerifiers.CreateAzTdxVtpm(new TdxVerifierOptions(), TimeProvider.System)
            .VerifyAsync(new EvidenceToVerify { Evidence = evidence, ExpectedReportData = nonce, At = at ?? Vectors.TdxTime }, CancellationToken.None).AsTask().DefaultTimeout();

    private static void AssertRejected(VerificationResult result, VerificationFailureReason reason)
    {
        Assert.False(result.IsVerified, "expected a rejection");
        Assert.True(reason == result.Failure!.Reason, $"expected {reason}, got {result.Failure}");
    }

    [Theory]
    [InlineData("trustee-az-tdx-vtpm/evidence-v0.json")]
    [InlineData("trustee-az-tdx-vtpm/evidence-v1.json")]
    public async Task VerifyAsync_Vector_ReturnsTdxAndTpmClaims(string path)
    {
        var result = await VerifyAsync(Vectors.Bytes(path), Convert.FromHexString(Nonce));

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.Equal(TeeType.AzTdxVtpm, result.Tee);
        Assert.Equal(Nonce, (string?)result.Claims["tpm"]!["nonce"]);
        Assert.Equal(Pcr0, (string?)result.Claims["tpm"]!["pcrs"]!["sha256"]!["0"]);
        Assert.Equal("00806f050000", (string?)result.Claims["tdx"]!["fmspc"]);
        Assert.StartsWith((string?)result.Claims["hcl"]!["var_data_sha256"], (string?)result.Claims["tdx"]!["report_data"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("trustee-az-tdx-vtpm/evidence-v0.json")]
    [InlineData("trustee-az-tdx-vtpm/evidence-v1.json")]
    public async Task VerifyAsync_WrongNonce_RejectedReportDataMismatch(string path)
    {
        var result = await VerifyAsync(Vectors.Bytes(path), Encoding.ASCII.GetBytes("challengf"));

        AssertRejected(result, VerificationFailureReason.ReportDataMismatch);
    }

    [Theory]
    [InlineData("trustee-az-tdx-vtpm/evidence-v0.json")]
    [InlineData("trustee-az-tdx-vtpm/evidence-v1.json")]
    public async Task VerifyAsync_BeforePckValidity_RejectedCertificateExpired(string path)
    {
        var result = await VerifyAsync(Vectors.Bytes(path), at: new DateTimeOffset(2017, 1, 1, 0, 0, 0, TimeSpan.Zero));

        AssertRejected(result, VerificationFailureReason.CertificateExpired);
    }

    [Fact]
    public async Task VerifyAsync_FlippedBitInTdQuote_RejectedSignatureInvalid()
    {
        var json = JsonNode.Parse(Vectors.Text("trustee-az-tdx-vtpm/evidence-v1.json"))!;
        var quote = Vectors.FlipBit(Vectors.Bytes("trustee-az-tdx-vtpm/td-quote.bin"), 0x178);
        json["td_quote"] = Convert.ToBase64String(quote);

        var result = await VerifyAsync(Encoding.UTF8.GetBytes(json.ToJsonString()));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Fact]
    public async Task VerifyAsync_FlippedBitInVarData_RejectedAttestationKeyUntrusted()
    {
        var json = JsonNode.Parse(Vectors.Text("trustee-az-tdx-vtpm/evidence-v1.json"))!;
        var hcl = Vectors.FlipBit(Vectors.Bytes("trustee-az-tdx-vtpm/hcl-report.bin"), 0x4D4 + 60);
        json["hcl_report"] = Convert.ToBase64String(hcl);

        var result = await VerifyAsync(Encoding.UTF8.GetBytes(json.ToJsonString()));

        AssertRejected(result, VerificationFailureReason.AttestationKeyUntrusted);
    }

    [Fact]
    public async Task VerifyAsync_SnpHclReportForTdx_RejectedUnsupportedPlatform()
    {
        var json = JsonNode.Parse(Vectors.Text("trustee-az-tdx-vtpm/evidence-v1.json"))!;
        json["hcl_report"] = Convert.ToBase64String(Vectors.Bytes("trustee-az-snp-vtpm/hcl-report.bin"));

        var result = await VerifyAsync(Encoding.UTF8.GetBytes(json.ToJsonString()));

        AssertRejected(result, VerificationFailureReason.UnsupportedPlatform);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(500)]
    public async Task VerifyAsync_Truncated_RejectedMalformedEvidence(int length)
    {
        var result = await VerifyAsync(Vectors.Bytes("trustee-az-tdx-vtpm/evidence-v1.json")[..length]);

        AssertRejected(result, VerificationFailureReason.MalformedEvidence);
    }
}
