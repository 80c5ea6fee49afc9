using System.Text;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Tdx;

namespace PodVm.Attestation.Tests.Verifiers.Tdx;

/// <summary>
/// The TDX caches (attestation keys, PCK chains, CRL and collateral signatures) must only save work: after a good
/// quote warmed them, tampered quotes, wrong times, stale or altered CRLs and altered collateral are still rejected
/// for the same reason as with a cold verifier.
/// </summary>
public sealed class TdxChainCacheTests
{
    private const string Quote4 = "trustee-tdx/tdx_quote_4.dat";
    private const string Quote5 = "trustee-tdx/tdx_quote_5.dat";
    private const string Quote6 = "trustee-tdx/tdx_quote_6.dat";

    public static TheoryData<string> Quotes => new() { Quote4, Quote5, Quote6, "trustee-az-tdx-vtpm/td-quote.bin" };

    private static IEvidenceVerifier Verifier(ITdxCollateralSource? source = null) =>
        EvidenceVerifiers.CreateTdx(new TdxVerifierOptions { CollateralSource = source }, TimeProvider.System);

    private static async Task<VerificationResult> VerifyAsync(IEvidenceVerifier verifier, byte[] quote, DateTimeOffset? at = null) =>
        await verifier.VerifyAsync(new EvidenceToVerify { Evidence = quote, At = at ?? Vectors.TdxTime }, CancellationToken.None).AsTask().DefaultTimeout();

    private static async Task<IEvidenceVerifier> WarmAsync(byte[] quote, DateTimeOffset? at = null, ITdxCollateralSource? source = null)
    {
        var verifier = Verifier(source);
        var warm = await VerifyAsync(verifier, quote, at);
        Assert.True(warm.IsVerified, warm.Failure?.ToString());
        return verifier;
    }

    private static void AssertRejected(VerificationResult result, VerificationFailureReason reason)
    {
        Assert.False(result.IsVerified, "expected a rejection");
        Assert.True(reason == result.Failure!.Reason, $"expected {reason}, got {result.Failure}");
    }

    [Theory]
    [MemberData(nameof(Quotes))]
    public async Task VerifyAsync_WarmCacheThenFlippedBitInBody_RejectedSignatureInvalid(string path)
    {
        var quote = Vectors.Bytes(path);
        var verifier = await WarmAsync(quote);

        var tampered = await VerifyAsync(verifier, Vectors.FlipBit(quote, 0xB8 + 5));
        var again = await VerifyAsync(verifier, quote);

        AssertRejected(tampered, VerificationFailureReason.SignatureInvalid);
        Assert.True(again.IsVerified, again.Failure?.ToString());
    }

    [Theory]
    [MemberData(nameof(Quotes))]
    public async Task VerifyAsync_WarmCacheThenFlippedBitInQeReportSignature_RejectedSignatureInvalid(string path)
    {
        var quote = Vectors.Bytes(path);
        var verifier = await WarmAsync(quote);
        var qeSignature = TdxVerifierTests.SignatureDataOffset(quote) + 4 + 128 + 6 + 384;

        var result = await VerifyAsync(verifier, Vectors.FlipBit(quote, qeSignature + 3));

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Theory]
    [MemberData(nameof(Quotes))]
    public async Task VerifyAsync_WarmCacheThenFlippedBitInQeReportData_RejectedAttestationKeyUntrusted(string path)
    {
        var quote = Vectors.Bytes(path);
        var verifier = await WarmAsync(quote);
        var qeReport = TdxVerifierTests.SignatureDataOffset(quote) + 4 + 128 + 6;

        var result = await VerifyAsync(verifier, Vectors.FlipBit(quote, qeReport + 320));

        AssertRejected(result, VerificationFailureReason.AttestationKeyUntrusted);
    }

    [Theory]
    [MemberData(nameof(Quotes))]
    public async Task VerifyAsync_WarmCacheThenTimeOutsidePckValidity_RejectedCertificateExpired(string path)
    {
        var quote = Vectors.Bytes(path);
        var verifier = await WarmAsync(quote);

        var before = await VerifyAsync(verifier, quote, new DateTimeOffset(2017, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var after = await VerifyAsync(verifier, quote, new DateTimeOffset(2034, 1, 1, 0, 0, 0, TimeSpan.Zero));

        AssertRejected(before, VerificationFailureReason.CertificateExpired);
        AssertRejected(after, VerificationFailureReason.CertificateExpired);
    }

    [Fact]
    public async Task VerifyAsync_WarmChainThenQuoteWithThatChainButOtherQe_RejectedSignatureInvalid()
    {
        // Quote 5's PCK chain is cached; quote 4 carrying it has a QE report that chain's PCK never signed.
        var verifier = await WarmAsync(Vectors.Bytes(Quote5));
        var quote = TdxVerifierTests.WithPckChain(Vectors.Bytes(Quote4), TdxVerifierTests.PckChain(Vectors.Bytes(Quote5)));

        var result = await VerifyAsync(verifier, quote);

        AssertRejected(result, VerificationFailureReason.SignatureInvalid);
    }

    [Fact]
    public async Task VerifyAsync_WarmChainThenChainWithForeignRoot_RejectedCertificateChainInvalid()
    {
        var quote = Vectors.Bytes(Quote4);
        var verifier = await WarmAsync(quote);
        var chain = Encoding.ASCII.GetString(TdxVerifierTests.PckChain(quote)).TrimEnd('\0');
        var certificates = PodVm.Attestation.Verifiers.Common.CertificateDecoder.DecodePem(chain, "chain");
        var amd = PodVm.Attestation.Verifiers.Common.CertificateDecoder.DecodePem(Vectors.Text("amd-roots/milan_ask_ark_asvk.pem"), "amd");
        var replaced = certificates[0].ExportCertificatePem() + "\n" + certificates[1].ExportCertificatePem() + "\n" + amd[1].ExportCertificatePem() + "\n";

        var result = await VerifyAsync(verifier, TdxVerifierTests.WithPckChain(quote, Encoding.ASCII.GetBytes(replaced)));

        AssertRejected(result, VerificationFailureReason.CertificateChainInvalid);
    }

    [Fact]
    public async Task VerifyAsync_WarmWithCurrentCrlsThenCrlPastNextUpdate_RejectedCertificateExpired()
    {
        var quote = Vectors.Bytes(Quote4);
        var collateral = new TdxCollateral { PckCrl = Vectors.Bytes("intel-collateral/pckcrl"), RootCaCrl = Vectors.Bytes("intel-collateral/rootcrl.der") };
        var verifier = await WarmAsync(quote, Vectors.IntelCollateralTime, new StaticTdxCollateralSource(collateral));

        var result = await VerifyAsync(verifier, quote, Vectors.TdxTime);

        AssertRejected(result, VerificationFailureReason.CertificateExpired);
    }

    [Fact]
    public async Task VerifyAsync_WarmWithCurrentCrlThenAlteredCrl_RejectedCertificateChainInvalid()
    {
        var quote = Vectors.Bytes(Quote4);
        var crl = Vectors.Bytes("intel-collateral/pckcrl");
        var source = new SwitchingSource(new TdxCollateral { PckCrl = crl });
        var verifier = await WarmAsync(quote, Vectors.IntelCollateralTime, source);

        // The chain is cached; the CRL served with this verification is a different (altered) one.
        source.Current = new TdxCollateral { PckCrl = Vectors.FlipBit(crl, crl.Length - 20) };
        var result = await VerifyAsync(verifier, quote, Vectors.IntelCollateralTime);

        AssertRejected(result, VerificationFailureReason.CertificateChainInvalid);
    }

    [Fact]
    public async Task VerifyAsync_TcbInfoTwiceThenBodyChanged_SignatureCheckedAgainstChangedBytes()
    {
        // At 2025-05-01 the TCB-signing certificate is valid but the vectors' TCB info (issued 2025-10-27) is not yet:
        // a good body fails on its window, a changed body on its signature, whatever was cached before.
        var at = new DateTimeOffset(2025, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var good = new TdxCollateral
        {
            TcbInfoJson = Vectors.Bytes("trustee-tdx/tcbInfo.json"),
            IssuerChainPem = Vectors.Bytes("intel-collateral/tcb-info-issuer-chain.DERIVED.pem"),
        };
        var source = new SwitchingSource(good);
        var verifier = Verifier(source);
        var quote = Vectors.Bytes(Quote6);

        var first = await VerifyAsync(verifier, quote, at);
        var second = await VerifyAsync(verifier, quote, at);
        source.Current = good with { TcbInfoJson = Encoding.UTF8.GetBytes(Vectors.Text("trustee-tdx/tcbInfo.json").Replace("\"UpToDate\"", "\"UpToDat3\"", StringComparison.Ordinal)) };
        var changed = await VerifyAsync(verifier, quote, at);

        AssertRejected(first, VerificationFailureReason.CertificateExpired);
        AssertRejected(second, VerificationFailureReason.CertificateExpired);
        AssertRejected(changed, VerificationFailureReason.SignatureInvalid);
    }

    [Fact]
    public async Task VerifyAsync_SameChainTwice_ChainVerifiedOnceAndCached()
    {
        var quotes = new TdxQuoteVerifier(new TdxVerifierOptions());
        var quote = TdxQuote.Parse(Vectors.Bytes(Quote4));

        await quotes.VerifyAsync(quote, Vectors.TdxTime, CancellationToken.None).AsTask().DefaultTimeout();
        await quotes.VerifyAsync(TdxQuote.Parse(Vectors.Bytes(Quote4)), Vectors.TdxTime, CancellationToken.None).AsTask().DefaultTimeout();

        Assert.Equal(1, quotes.CachedPckChains);
    }

    private sealed class SwitchingSource(TdxCollateral initial) : ITdxCollateralSource
    {
        public TdxCollateral Current { get; set; } = initial;

        public ValueTask<TdxCollateral?> GetCollateralAsync(string fmspc, string pckCa, CancellationToken cancellationToken) => ValueTask.FromResult<TdxCollateral?>(Current);
    }
}
