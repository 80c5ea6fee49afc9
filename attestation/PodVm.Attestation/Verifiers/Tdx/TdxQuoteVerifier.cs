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
/// <remarks>
/// Caches, each keyed by the SHA-256 of the exact input bytes and filled only after the checks passed: imported
/// attestation keys; verified PCK chains (decoding, signatures to the Intel root, the leaf's key and SGX extension);
/// CRLs whose issuer signature verified (keyed by CRL and issuer bytes); TCB signing certificates verified under the
/// root; collateral bodies whose signature verified. Checked on every quote, cached or not: the quote and QE report
/// signatures, the QE binding, every validity window (certificates, CRLs, TCB info, QE identity) at the verification
/// time, revocation of the PCK CA and leaf against the CRLs supplied with this verification, and the TCB evaluation.
/// </remarks>
internal sealed class TdxQuoteVerifier
{
    private const int CacheCapacity = 1024;
    private static readonly object Verified = new();

    private readonly ITdxCollateralSource? _collateral;
    private readonly BoundedCache<EcdsaVerificationKey> _attestationKeys = new(CacheCapacity);
    private readonly BoundedCache<TdxPckChain> _pckChains = new(CacheCapacity);
    private readonly BoundedCache<CertificateRevocationList> _crls = new(CacheCapacity);
    private readonly BoundedCache<TdxTcbSigner> _tcbSigners = new(CacheCapacity);
    private readonly BoundedCache<object> _collateralSignatures = new(CacheCapacity);

    public TdxQuoteVerifier(TdxVerifierOptions options)
    {
        _collateral = options.CollateralSource;
    }

    /// <summary>Verified PCK chains currently cached (tests).</summary>
    internal int CachedPckChains => _pckChains.Count;

    public async ValueTask<JsonObject> VerifyAsync(TdxQuote quote, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var attestationKey = _attestationKeys.GetOrAdd(ContentKey.Of(quote.AttestationKey), () => EcdsaVerificationKey.Own(TdxQuote.P256FromRaw(quote.AttestationKey)));
        if (!attestationKey.VerifyData(quote.SignedPart, quote.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw new VerificationException(VerificationFailureReason.SignatureInvalid, "the quote signature does not verify with its attestation key");
        }

        var binding = SHA256.HashData([.. quote.AttestationKey, .. quote.QeAuthData]);
        var qeReportData = quote.QeReport.AsSpan(320, 64);
        if (!qeReportData[..32].SequenceEqual(binding) || qeReportData[32..].ContainsAnyExcept((byte)0))
        {
            throw new VerificationException(VerificationFailureReason.AttestationKeyUntrusted, "the QE report does not bind the attestation key (REPORTDATA ≠ SHA-256(key ‖ auth data) ‖ 0^32)");
        }

        var chain = _pckChains.TryGet(ContentKey.Of(quote.PckChainPem), out var cached)
            ? cached
            : _pckChains.Add(ContentKey.Of(quote.PckChainPem), VerifyPckChain(quote));
        CertificateValidity.Require(chain.Leaf, at, "PCK");
        CertificateValidity.Require(chain.Intermediate, at, "PCK CA");
        CertificateValidity.Require(chain.Root, at, "Intel SGX Root CA");
        if (!chain.PckKey.VerifyData(quote.QeReport, quote.QeReportSignature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw new VerificationException(VerificationFailureReason.SignatureInvalid, "the QE report signature does not verify with the PCK certificate");
        }

        var evaluation = await EvaluateCollateralAsync(quote, chain, at, cancellationToken).ConfigureAwait(false);
        return TdxClaims.Build(quote, chain.Extensions, evaluation);
    }

    /// <summary>The checks that depend only on the chain's bytes: their result is what the PCK chain cache holds.</summary>
    private static TdxPckChain VerifyPckChain(TdxQuote quote)
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

        var pckKey = chain[0].GetECDsaPublicKey() ?? throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, "the PCK certificate has no EC key");
        return new TdxPckChain(chain[0], chain[1], root, EcdsaVerificationKey.Own(pckKey), PckCertificateExtensions.Parse(chain[0]));
    }

    private async ValueTask<TdxTcbEvaluation> EvaluateCollateralAsync(TdxQuote quote, TdxPckChain chain, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_collateral is null)
        {
            return TdxTcbEvaluation.None;
        }

        var pck = chain.Extensions;
        var fmspc = Convert.ToHexString(pck.Fmspc);
        var ca = chain.Intermediate.GetNameInfo(X509NameType.SimpleName, false).Contains("Processor", StringComparison.Ordinal) ? "processor" : "platform";
        var collateral = await _collateral.GetCollateralAsync(fmspc, ca, cancellationToken).ConfigureAwait(false)
            ?? throw new VerificationException(VerificationFailureReason.CollateralUnavailable, $"no collateral for FMSPC {fmspc}");

        if (!collateral.RootCaCrl.IsEmpty)
        {
            var crl = SignedCrl(collateral.RootCaCrl, chain.Root, "Root CA CRL");
            crl.RequireCurrent(at, "Root CA CRL");
            if (crl.IsRevoked(chain.Intermediate))
            {
                throw new VerificationException(VerificationFailureReason.CertificateRevoked, $"the PCK CA '{chain.Intermediate.Subject}' is revoked");
            }
        }

        if (!collateral.PckCrl.IsEmpty)
        {
            var crl = SignedCrl(collateral.PckCrl, chain.Intermediate, "PCK CRL");
            crl.RequireCurrent(at, "PCK CRL");
            if (crl.IsRevoked(chain.Leaf))
            {
                throw new VerificationException(VerificationFailureReason.CertificateRevoked, $"the PCK certificate {chain.Leaf.SerialNumber} is revoked");
            }
        }

        if (collateral.TcbInfoJson.IsEmpty)
        {
            return TdxTcbEvaluation.None;
        }

        var signer = TcbSigner(collateral);
        CertificateValidity.Require(signer.Certificate, at, "TCB signing");
        using var tcbInfo = SignedCollateral.Parse(collateral.TcbInfoJson, "tcbInfo");
        RequireCollateralSignature(tcbInfo, signer, "TCB info");
        tcbInfo.RequireCurrent(at, "TCB info");
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
            RequireCollateralSignature(identity, signer, "QE identity");
            identity.RequireCurrent(at, "QE identity");
            qeStatus = TdxTcbEvaluator.EvaluateQe(identity.Body, quote.QeReport);
        }

        return new TdxTcbEvaluation(TdxTcbEvaluator.Worse(platform, qeStatus), platform, qeStatus, tcbDate, advisories);
    }

    /// <summary>The CRL decoded and its signature checked against <paramref name="issuer"/>, once per (CRL, issuer) bytes.</summary>
    private CertificateRevocationList SignedCrl(ReadOnlyMemory<byte> data, X509Certificate2 issuer, string what)
    {
        var key = ContentKey.Of([data, issuer.RawDataMemory]);
        if (_crls.TryGet(key, out var cached))
        {
            return cached;
        }

        var crl = CertificateRevocationList.Decode(data, what);
        crl.RequireSignedBy(issuer, what);
        return _crls.Add(key, crl);
    }

    private TdxTcbSigner TcbSigner(TdxCollateral collateral)
    {
        if (collateral.IssuerChainPem.IsEmpty)
        {
            throw new VerificationException(VerificationFailureReason.CollateralUnavailable, "the collateral has no TCB-Info issuer chain");
        }

        var key = ContentKey.Of(collateral.IssuerChainPem);
        if (_tcbSigners.TryGet(key, out var cached))
        {
            return cached;
        }

        var chain = CertificateDecoder.DecodeAll(collateral.IssuerChainPem.Span, "TCB-Info issuer chain");
        var signer = chain[0];
        if (!X509SignatureVerifier.IsSignedBy(signer, IntelRootCertificate.Certificate))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"'{signer.Subject}' is not signed by the Intel SGX Root CA");
        }

        var publicKey = signer.GetECDsaPublicKey()
            ?? throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, "the TCB signing certificate has no EC key");
        return _tcbSigners.Add(key, new TdxTcbSigner(signer, EcdsaVerificationKey.Own(publicKey)));
    }

    private void RequireCollateralSignature(SignedCollateral collateral, TdxTcbSigner signer, string what)
    {
        var key = ContentKey.Of([collateral.SignedBytes, collateral.Signature, signer.Certificate.RawDataMemory]);
        if (_collateralSignatures.TryGet(key, out _))
        {
            return;
        }

        collateral.RequireSignedBy(signer.Key, what);
        _collateralSignatures.Add(key, Verified);
    }

    internal static string Fmspc(PckCertificateExtensions pck) => Convert.ToHexString(pck.Fmspc).ToLower(CultureInfo.InvariantCulture);
}
