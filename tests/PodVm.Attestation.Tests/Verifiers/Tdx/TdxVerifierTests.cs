using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Common;
using PodVm.Attestation.Verifiers.Tdx;

namespace PodVm.Attestation.Tests.Verifiers.Tdx;

public sealed class TdxVerifierTests
{
    private const string Quote4 = "trustee-tdx/tdx_quote_4.dat";
    private const string Quote5 = "trustee-tdx/tdx_quote_5.dat";
    private const string Quote6 = "trustee-tdx/tdx_quote_6.dat";

    public static TheoryData<string> Quotes => new() { Quote4, Quote5, Quote6, "trustee-az-tdx-vtpm/td-quote.bin" };

    private static IEvidenceVerifier Verifier(TdxCollateral? collateral = null) =>
        EvidenceVerifiers.CreateTdx(new TdxVerifierOptions { CollateralSource = collateral is null ? null : new StaticTdxCollateralSource(collateral) }, TimeProvider.System);

    private static async Task<VerificationResult> VerifyAsync(byte[] evidence, DateTimeOffset? at = null, byte[]? reportData = null, byte[]? initData = null, IEvidenceVerifier? verifier = null) =>
        await (verifier ?? Verifier()).VerifyAsync(new EvidenceToVerify { Evidence = evidence, At = at ?? Vectors.TdxTime, ExpectedReportData = reportData, ExpectedInitDataDigest = initData }, CancellationToken.None).AsTask().DefaultTimeout();

    private static void AssertRejected(VerificationResult result, VerificationFailureReason reason)
    {
        Assert.False(result.IsVerified, "expected a rejection");
        Assert.True(reason == result.Failure!.Reason, $"expected {reason}, got {result.Failure}");
    }

    [Fact]
    public async Task VerifyAsync_QuoteV4_MatchesTrusteeExpectedClaims()
    {
        using var expected = JsonDocument.Parse(Vectors.Text("trustee-tdx/parse_tdx_claims_expected.json"));
        var body = expected.RootElement.GetProperty("quote").GetProperty("body");

        var result = await VerifyAsync(Vectors.Bytes(Quote4));

        Assert.True(result.IsVerified, result.Failure?.ToString());
        var c = result.Claims;
        Assert.Equal(TeeType.Tdx, result.Tee);
        Assert.Equal(4, (int?)c["quote_version"]);
        foreach (var (claim, field) in new[] { ("mr_td", "mr_td"), ("rtmr0", "rtmr_0"), ("rtmr1", "rtmr_1"), ("rtmr2", "rtmr_2"), ("rtmr3", "rtmr_3"), ("report_data", "report_data"), ("mr_config_id", "mr_config_id"), ("mr_seam", "mr_seam"), ("xfam", "xfam"), ("td_attributes", "td_attributes"), ("tee_tcb_svn", "tcb_svn"), ("mr_owner", "mr_owner") })
        {
            Assert.Equal(body.GetProperty(field).GetString(), (string?)c[claim]);
        }

        Assert.True((bool?)c["td_attributes_parsed"]!["debug"]);
        Assert.True((bool?)c["td_attributes_parsed"]!["septve_disable"]);
        Assert.Equal("50806f000000", (string?)c["fmspc"]);
        Assert.Equal("NotEvaluated", (string?)c["tcb_status"]);
    }

    [Fact]
    public async Task VerifyAsync_QuoteV5_ReturnsTdx15Claims()
    {
        var result = await VerifyAsync(Vectors.Bytes(Quote5));

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.Equal(5, (int?)result.Claims["quote_version"]);
        Assert.StartsWith("dfba221b", (string?)result.Claims["mr_td"], StringComparison.Ordinal);
        Assert.EndsWith("3886400a", (string?)result.Claims["mr_td"], StringComparison.Ordinal);
        Assert.Equal(96, ((string?)result.Claims["mr_servicetd"])!.Length);
        Assert.Equal("90c06f000000", (string?)result.Claims["fmspc"]);
    }

    [Fact]
    public async Task VerifyAsync_QuoteWithInitdata_BindsMrConfigIdAndReportData()
    {
        var quote = Vectors.Bytes(Quote6);
        var mrConfigId = quote.AsSpan(0xE8, 48).ToArray();
        var reportData = quote.AsSpan(0x238, 48).ToArray();

        var result = await VerifyAsync(quote, reportData: reportData, initData: mrConfigId);

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.StartsWith("889abf47", (string?)result.Claims["mr_config_id"], StringComparison.Ordinal);
        Assert.EndsWith("b150ed67", (string?)result.Claims["mr_config_id"], StringComparison.Ordinal);
        Assert.StartsWith("26cae1c7", (string?)result.Claims["report_data"], StringComparison.Ordinal);
        Assert.EndsWith(new string('0', 32), (string?)result.Claims["report_data"], StringComparison.Ordinal);
        Assert.Equal("00a06d080000", (string?)result.Claims["fmspc"]);
    }

    [Theory]
    [MemberData(nameof(Quotes))]
    public async Task VerifyAsync_FlippedBitInBody_RejectedSignatureInvalid(string path)
    {
        var result = await VerifyAsync(Vectors.FlipBit(Vectors.Bytes(path), 0xB8 + 5));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Theory]
    [MemberData(nameof(Quotes))]
    public async Task VerifyAsync_FlippedBitInQuoteSignature_RejectedSignatureInvalid(string path)
    {
        var quote = Vectors.Bytes(path);

        var result = await VerifyAsync(Vectors.FlipBit(quote, SignatureDataOffset(quote) + 4 + 10));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Theory]
    [MemberData(nameof(Quotes))]
    public async Task VerifyAsync_FlippedBitInQeReportData_RejectedAttestationKeyUntrusted(string path)
    {
        var quote = Vectors.Bytes(path);
        var qeReport = SignatureDataOffset(quote) + 4 + 128 + 6;

        var result = await VerifyAsync(Vectors.FlipBit(quote, qeReport + 320));

        AssertRejected(result, VerificationFailureReason.AttestationKeyUntrusted);
    }

    [Theory]
    [MemberData(nameof(Quotes))]
    public async Task VerifyAsync_FlippedBitInQeReportSignature_RejectedSignatureInvalid(string path)
    {
        var quote = Vectors.Bytes(path);
        var qeSignature = SignatureDataOffset(quote) + 4 + 128 + 6 + 384;

        var result = await VerifyAsync(Vectors.FlipBit(quote, qeSignature + 3));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Theory]
    [MemberData(nameof(Quotes))]
    public async Task VerifyAsync_PckChainOfAnotherPlatform_RejectedSignatureInvalid(string path)
    {
        var other = path == Quote4 ? Quote5 : Quote4;
        var quote = WithPckChain(Vectors.Bytes(path), PckChain(Vectors.Bytes(other)));

        var result = await VerifyAsync(quote);

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Fact]
    public async Task VerifyAsync_PckChainNotFromIntel_RejectedCertificateChainInvalid()
    {
        var quote = Vectors.Bytes(Quote4);
        var chain = Encoding.ASCII.GetString(PckChain(quote)).TrimEnd('\0');
        var certificates = CertificateDecoder.DecodePem(chain, "chain");
        var amd = Vectors.Text("amd-roots/milan_ask_ark_asvk.pem");
        var replaced = certificates[0].ExportCertificatePem() + "\n" + certificates[1].ExportCertificatePem() + "\n" + CertificateDecoder.DecodePem(amd, "amd")[1].ExportCertificatePem() + "\n";

        var result = await VerifyAsync(WithPckChain(quote, Encoding.ASCII.GetBytes(replaced)));

        AssertRejected(result, VerificationFailureReason.CertificateChainInvalid);
    }

    [Theory]
    [MemberData(nameof(Quotes))]
    public async Task VerifyAsync_TimeOutsidePckValidity_RejectedCertificateExpired(string path)
    {
        var before = await VerifyAsync(Vectors.Bytes(path), at: new DateTimeOffset(2017, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var after = await VerifyAsync(Vectors.Bytes(path), at: new DateTimeOffset(2034, 1, 1, 0, 0, 0, TimeSpan.Zero));

        AssertRejected(before, VerificationFailureReason.CertificateExpired);
        AssertRejected(after, VerificationFailureReason.CertificateExpired);
    }

    [Theory]
    [MemberData(nameof(Quotes))]
    public async Task VerifyAsync_WrongReportData_RejectedReportDataMismatch(string path)
    {
        var result = await VerifyAsync(Vectors.Bytes(path), reportData: new byte[48]);

        AssertRejected(result, VerificationFailureReason.ReportDataMismatch);
    }

    [Fact]
    public async Task VerifyAsync_WrongInitData_RejectedInitDataMismatch()
    {
        var result = await VerifyAsync(Vectors.Bytes(Quote6), initData: new byte[48]);

        AssertRejected(result, VerificationFailureReason.InitDataMismatch);
    }

    [Fact]
    public async Task VerifyAsync_SgxQuoteV3_RejectedUnsupportedVersion()
    {
        var result = await VerifyAsync(Vectors.Bytes("trustee-tdx/occlum_quote.dat"));

        AssertRejected(result, VerificationFailureReason.UnsupportedVersion);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(47)]
    [InlineData(632)]
    [InlineData(1000)]
    [InlineData(4000)]
    public async Task VerifyAsync_TruncatedQuote_RejectedMalformedEvidence(int length)
    {
        var result = await VerifyAsync(Vectors.Bytes(Quote4)[..length]);

        Assert.False(result.IsVerified);
        Assert.Contains(result.Failure!.Reason, new[] { VerificationFailureReason.MalformedEvidence, VerificationFailureReason.UnsupportedVersion });
    }

    [Fact]
    public async Task VerifyAsync_OversizedQuote_RejectedMalformedEvidence()
    {
        var result = await VerifyAsync([.. Vectors.Bytes(Quote4), .. new byte[70_000]]);

        AssertRejected(result, VerificationFailureReason.MalformedEvidence);
    }

    [Fact]
    public async Task VerifyAsync_TrusteeJsonWithForeignEventLog_RejectedMeasurementMismatch()
    {
        var json = $"{{\"quote\":\"{Convert.ToBase64String(Vectors.Bytes(Quote4))}\",\"cc_eventlog\":\"{Convert.ToBase64String(Vectors.Bytes("trustee-tdx/CCEL_data"))}\"}}";

        var result = await VerifyAsync(Encoding.UTF8.GetBytes(json));

        AssertRejected(result, VerificationFailureReason.MeasurementMismatch);
    }

    [Fact]
    public async Task VerifyAsync_TrusteeJsonWithoutEventLog_Verified()
    {
        var json = $"{{\"quote\":\"{Convert.ToBase64String(Vectors.Bytes(Quote4))}\",\"cc_eventlog\":null}}";

        var result = await VerifyAsync(Encoding.UTF8.GetBytes(json));

        Assert.True(result.IsVerified, result.Failure?.ToString());
    }

    [Fact]
    public async Task VerifyAsync_CrlsCurrentAndNotRevoked_VerifiedWithCrlCheck()
    {
        var collateral = new TdxCollateral { PckCrl = Vectors.Bytes("intel-collateral/pckcrl"), RootCaCrl = Vectors.Bytes("intel-collateral/rootcrl.der") };

        var result = await VerifyAsync(Vectors.Bytes(Quote4), at: Vectors.IntelCollateralTime, verifier: Verifier(collateral));

        Assert.True(result.IsVerified, result.Failure?.ToString());
    }

    [Fact]
    public async Task VerifyAsync_CrlPastNextUpdate_RejectedCertificateExpired()
    {
        var collateral = new TdxCollateral { PckCrl = Vectors.Bytes("intel-collateral/pckcrl") };

        var result = await VerifyAsync(Vectors.Bytes(Quote4), verifier: Verifier(collateral));

        AssertRejected(result, VerificationFailureReason.CertificateExpired);
    }

    [Fact]
    public async Task VerifyAsync_CrlFlippedBit_RejectedCertificateChainInvalid()
    {
        var crl = Vectors.Bytes("intel-collateral/pckcrl");
        var collateral = new TdxCollateral { PckCrl = Vectors.FlipBit(crl, crl.Length - 20) };

        var result = await VerifyAsync(Vectors.Bytes(Quote4), at: Vectors.IntelCollateralTime, verifier: Verifier(collateral));

        AssertRejected(result, VerificationFailureReason.CertificateChainInvalid);
    }

    [Fact]
    public async Task VerifyAsync_TcbInfoSignedByExpiredTcbSigningCert_RejectedCertificateExpired()
    {
        // The vectors' TCB info (2025-10-27) postdates the TCB-signing certificate we have (notAfter 2025-05-21).
        var collateral = new TdxCollateral
        {
            TcbInfoJson = Vectors.Bytes("trustee-tdx/tcbInfo.json"),
            QeIdentityJson = Vectors.Bytes("trustee-tdx/enclaveIdentity.json"),
            IssuerChainPem = Vectors.Bytes("intel-collateral/tcb-info-issuer-chain.DERIVED.pem"),
        };

        var result = await VerifyAsync(Vectors.Bytes(Quote6), at: new DateTimeOffset(2025, 11, 1, 0, 0, 0, TimeSpan.Zero), verifier: Verifier(collateral));

        AssertRejected(result, VerificationFailureReason.CertificateExpired);
    }

    [Fact]
    public async Task VerifyAsync_CollateralSourceHasNothing_RejectedCollateralUnavailable()
    {
        var verifier = EvidenceVerifiers.CreateTdx(new TdxVerifierOptions { CollateralSource = new EmptySource() }, TimeProvider.System);

        var result = await VerifyAsync(Vectors.Bytes(Quote4), verifier: verifier);

        AssertRejected(result, VerificationFailureReason.CollateralUnavailable);
    }

    internal static int SignatureDataOffset(byte[] quote) =>
        BinaryPrimitives.ReadUInt16LittleEndian(quote) == 5 ? 48 + 6 + (int)BinaryPrimitives.ReadUInt32LittleEndian(quote.AsSpan(50)) : 48 + 584;

    internal static byte[] PckChain(byte[] quote)
    {
        var certData = SignatureDataOffset(quote) + 4 + 128 + 6;
        var authLength = BinaryPrimitives.ReadUInt16LittleEndian(quote.AsSpan(certData + 384 + 64));
        var inner = certData + 384 + 64 + 2 + authLength;
        var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(quote.AsSpan(inner + 2));
        return quote.AsSpan(inner + 6, size).ToArray();
    }

    internal static byte[] WithPckChain(byte[] quote, byte[] chain)
    {
        var sigData = SignatureDataOffset(quote);
        var certData = sigData + 4 + 128 + 6;
        var authLength = BinaryPrimitives.ReadUInt16LittleEndian(quote.AsSpan(certData + 384 + 64));
        var inner = certData + 384 + 64 + 2 + authLength;
        var result = new List<byte>(quote.AsSpan(0, inner + 2).ToArray());
        var size = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)chain.Length);
        result.AddRange(size);
        result.AddRange(chain);
        var bytes = result.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(sigData + 4 + 128 + 2), (uint)(bytes.Length - certData));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(sigData), (uint)(bytes.Length - sigData - 4));
        return bytes;
    }

    private sealed class EmptySource : ITdxCollateralSource
    {
        public ValueTask<TdxCollateral?> GetCollateralAsync(string fmspc, string pckCa, CancellationToken cancellationToken) => ValueTask.FromResult<TdxCollateral?>(null);
    }
}
