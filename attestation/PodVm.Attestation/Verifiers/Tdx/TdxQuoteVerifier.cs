using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>
/// Verifies a TDX quote: the attestation key signs header and body; the QE report binds that key
/// (REPORTDATA = SHA-256(key ‖ QE auth data) ‖ 0^32) and is signed by the PCK leaf; the PCK chain leads to the embedded
/// Intel SGX Root CA and is valid at the verification time. With collateral: CRLs (PCK and root), TCB info and QE
/// identity signed by the TCB signing certificate (itself under the Intel root), and the resulting TCB status.
/// Shared by the TDX and Azure TDX vTPM verifiers.
/// </summary>
internal sealed class TdxQuoteVerifier
{
    private readonly ITdxCollateralSource? _collateral;

    public TdxQuoteVerifier(TdxVerifierOptions options)
    {
        _collateral = options.CollateralSource;
    }

    public async ValueTask<JsonObject> VerifyAsync(TdxQuote quote, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using (var attestationKey = TdxQuote.P256FromRaw(quote.AttestationKey))
        {
            if (!attestationKey.VerifyData(quote.SignedPart, quote.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                throw new VerificationException(VerificationFailureReason.SignatureInvalid, "the quote signature does not verify with its attestation key");
            }
        }

        var binding = SHA256.HashData([.. quote.AttestationKey, .. quote.QeAuthData]);
        var qeReportData = quote.QeReport.AsSpan(320, 64);
        if (!qeReportData[..32].SequenceEqual(binding) || qeReportData[32..].ContainsAnyExcept((byte)0))
        {
            throw new VerificationException(VerificationFailureReason.AttestationKeyUntrusted, "the QE report does not bind the attestation key (REPORTDATA ≠ SHA-256(key ‖ auth data) ‖ 0^32)");
        }

        var (leaf, intermediate, root) = VerifyPckChain(quote, at);
        using (var pckKey = leaf.GetECDsaPublicKey() ?? throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, "the PCK certificate has no EC key"))
        {
            if (!pckKey.VerifyData(quote.QeReport, quote.QeReportSignature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                throw new VerificationException(VerificationFailureReason.SignatureInvalid, "the QE report signature does not verify with the PCK certificate");
            }
        }

        var pck = PckCertificateExtensions.Parse(leaf);
        var evaluation = await EvaluateCollateralAsync(quote, pck, leaf, intermediate, root, at, cancellationToken).ConfigureAwait(false);
        var claims = TdxClaims.Build(quote, pck, evaluation);
        return claims;
    }

    private static (X509Certificate2 Leaf, X509Certificate2 Intermediate, X509Certificate2 Root) VerifyPckChain(TdxQuote quote, DateTimeOffset at)
    {
        var pem = Encoding.ASCII.GetString(quote.PckChainPem).TrimEnd('\0');
        var chain = CertificateDecoder.DecodePem(pem, "PCK certificate chain");
        if (chain.Count != 3)
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the PCK chain has {chain.Count} certificates, expected PCK, CA and root");
        }

        var root = IntelRootCertificate.Certificate;
        if (!X509SignatureVerifier.SameKey(chain[2], root))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the PCK chain ends at '{chain[2].Subject}', not the Intel SGX Root CA");
        }

        if (!X509SignatureVerifier.IsSignedBy(chain[1], root) || !X509SignatureVerifier.IsSignedBy(chain[0], chain[1]))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, "the PCK chain's signatures do not verify to the Intel SGX Root CA");
        }

        CertificateValidity.Require(chain[0], at, "PCK");
        CertificateValidity.Require(chain[1], at, "PCK CA");
        CertificateValidity.Require(root, at, "Intel SGX Root CA");
        return (chain[0], chain[1], root);
    }

    private async ValueTask<TdxTcbEvaluation> EvaluateCollateralAsync(TdxQuote quote, PckCertificateExtensions pck, X509Certificate2 leaf, X509Certificate2 intermediate, X509Certificate2 root, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_collateral is null)
        {
            return TdxTcbEvaluation.None;
        }

        var fmspc = Convert.ToHexString(pck.Fmspc);
        var ca = intermediate.GetNameInfo(X509NameType.SimpleName, false).Contains("Processor", StringComparison.Ordinal) ? "processor" : "platform";
        var collateral = await _collateral.GetCollateralAsync(fmspc, ca, cancellationToken).ConfigureAwait(false)
            ?? throw new VerificationException(VerificationFailureReason.CollateralUnavailable, $"no collateral for FMSPC {fmspc}");

        if (!collateral.RootCaCrl.IsEmpty)
        {
            var crl = CertificateRevocationList.Decode(collateral.RootCaCrl, "Root CA CRL");
            crl.RequireValid(root, at, "Root CA CRL");
            if (crl.IsRevoked(intermediate))
            {
                throw new VerificationException(VerificationFailureReason.CertificateRevoked, $"the PCK CA '{intermediate.Subject}' is revoked");
            }
        }

        if (!collateral.PckCrl.IsEmpty)
        {
            var crl = CertificateRevocationList.Decode(collateral.PckCrl, "PCK CRL");
            crl.RequireValid(intermediate, at, "PCK CRL");
            if (crl.IsRevoked(leaf))
            {
                throw new VerificationException(VerificationFailureReason.CertificateRevoked, $"the PCK certificate {leaf.SerialNumber} is revoked");
            }
        }

        if (collateral.TcbInfoJson.IsEmpty)
        {
            return TdxTcbEvaluation.None;
        }

        var signer = TcbSigningCertificate(collateral, root, at);
        using var tcbInfo = SignedCollateral.Parse(collateral.TcbInfoJson, "tcbInfo");
        tcbInfo.RequireValid(signer, at, "TCB info");
        var infoFmspc = JsonEvidence.String(JsonEvidence.Property(tcbInfo.Body, "fmspc", "tcbInfo"), "fmspc");
        if (!string.Equals(infoFmspc, fmspc, StringComparison.OrdinalIgnoreCase))
        {
            throw new VerificationException(VerificationFailureReason.CollateralUnavailable, $"the TCB info is for FMSPC {infoFmspc}, the PCK for {fmspc}");
        }

        var platform = TdxTcbEvaluator.EvaluatePlatform(tcbInfo.Body, pck, quote.TeeTcbSvn, out var tcbDate, out var advisories);
        string? qeStatus = null;
        if (!collateral.QeIdentityJson.IsEmpty)
        {
            using var identity = SignedCollateral.Parse(collateral.QeIdentityJson, "enclaveIdentity");
            identity.RequireValid(signer, at, "QE identity");
            qeStatus = TdxTcbEvaluator.EvaluateQe(identity.Body, quote.QeReport);
        }

        return new TdxTcbEvaluation(TdxTcbEvaluator.Worse(platform, qeStatus), platform, qeStatus, tcbDate, advisories);
    }

    private static X509Certificate2 TcbSigningCertificate(TdxCollateral collateral, X509Certificate2 root, DateTimeOffset at)
    {
        if (collateral.IssuerChainPem.IsEmpty)
        {
            throw new VerificationException(VerificationFailureReason.CollateralUnavailable, "the collateral has no TCB-Info issuer chain");
        }

        var chain = CertificateDecoder.DecodeAll(collateral.IssuerChainPem.Span, "TCB-Info issuer chain");
        var signer = chain[0];
        if (!X509SignatureVerifier.IsSignedBy(signer, root))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"'{signer.Subject}' is not signed by the Intel SGX Root CA");
        }

        CertificateValidity.Require(signer, at, "TCB signing");
        return signer;
    }

    internal static string Fmspc(PckCertificateExtensions pck) => Convert.ToHexString(pck.Fmspc).ToLower(CultureInfo.InvariantCulture);
}
