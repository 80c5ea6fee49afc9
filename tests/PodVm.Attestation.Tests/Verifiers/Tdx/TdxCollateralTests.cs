using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;
using PodVm.Attestation.Verifiers.Tdx;

namespace PodVm.Attestation.Tests.Verifiers.Tdx;

public sealed class TdxCollateralTests
{
    private static readonly DateTimeOffset InsideTcbInfo = new(2025, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 SigningCertificate() =>
        CertificateDecoder.DecodeAll(Vectors.Bytes("intel-collateral/tcb-info-issuer-chain.DERIVED.pem"), "chain")[0];

    [Theory]
    [InlineData("trustee-tdx/tcbInfo.json", "tcbInfo")]
    [InlineData("trustee-tdx/enclaveIdentity.json", "enclaveIdentity")]
    public void RequireValid_IntelSignedCollateral_SignatureVerifies(string path, string body)
    {
        using var collateral = SignedCollateral.Parse(Vectors.Bytes(path), body);

        collateral.RequireValid(SigningCertificate(), InsideTcbInfo, body);

        Assert.True(X509SignatureVerifier.IsSignedBy(SigningCertificate(), IntelRootCertificate.Certificate));
    }

    [Fact]
    public void RequireValid_TcbInfoBodyChanged_ThrowsSignatureInvalid()
    {
        var json = Vectors.Text("trustee-tdx/tcbInfo.json").Replace("\"UpToDate\"", "\"UpToDat3\"", StringComparison.Ordinal);
        using var collateral = SignedCollateral.Parse(System.Text.Encoding.UTF8.GetBytes(json), "tcbInfo");

        var e = Assert.Throws<VerificationException>(() => collateral.RequireValid(SigningCertificate(), InsideTcbInfo, "TCB info"));

        Assert.Equal(VerificationFailureReason.SignatureInvalid, e.Reason);
    }

    [Fact]
    public void RequireValid_AfterNextUpdate_ThrowsCertificateExpired()
    {
        using var collateral = SignedCollateral.Parse(Vectors.Bytes("trustee-tdx/tcbInfo.json"), "tcbInfo");

        var e = Assert.Throws<VerificationException>(() => collateral.RequireValid(SigningCertificate(), Vectors.TdxTime, "TCB info"));

        Assert.Equal(VerificationFailureReason.CertificateExpired, e.Reason);
    }

    [Fact]
    public void Evaluate_Quote6AgainstItsTcbInfoAndQeIdentity_ReturnsStatuses()
    {
        var quote = TdxQuote.Parse(Vectors.Bytes("trustee-tdx/tdx_quote_6.dat"));
        var pem = System.Text.Encoding.ASCII.GetString(quote.PckChainPem).TrimEnd('\0');
        var pck = PckCertificateExtensions.Parse(CertificateDecoder.DecodePem(pem, "chain")[0]);
        using var tcbInfo = SignedCollateral.Parse(Vectors.Bytes("trustee-tdx/tcbInfo.json"), "tcbInfo");
        using var identity = SignedCollateral.Parse(Vectors.Bytes("trustee-tdx/enclaveIdentity.json"), "enclaveIdentity");

        var platform = TdxTcbEvaluator.EvaluatePlatform(tcbInfo.Body, pck, quote.TeeTcbSvn, out var date, out _);
        var qe = TdxTcbEvaluator.EvaluateQe(identity.Body, quote.QeReport);

        Assert.Equal("00A06D080000", Convert.ToHexString(pck.Fmspc));
        Assert.Equal(ExpectedPlatformStatus, platform);
        Assert.NotNull(date);
        Assert.Equal("UpToDate", qe);
    }

    [Fact]
    public void CertificateRevocationList_IntelPckCrl_ParsesAndVerifiesWithPlatformCa()
    {
        var quote = TdxQuote.Parse(Vectors.Bytes("trustee-tdx/tdx_quote_4.dat"));
        var chain = CertificateDecoder.DecodePem(System.Text.Encoding.ASCII.GetString(quote.PckChainPem).TrimEnd('\0'), "chain");
        var crl = CertificateRevocationList.Decode(Vectors.Bytes("intel-collateral/pckcrl"), "PCK CRL");

        crl.RequireValid(chain[1], Vectors.IntelCollateralTime, "PCK CRL");

        Assert.Equal(44, crl.Count);
        Assert.False(crl.IsRevoked(chain[0]));
    }

    // The PCK certifies PCESVN 11; the UpToDate level needs 13, the next level (PCESVN 5) is OutOfDate.
    private const string ExpectedPlatformStatus = "OutOfDate";
}
