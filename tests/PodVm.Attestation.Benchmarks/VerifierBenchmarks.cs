using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.LocalDev;
using PodVm.Attestation.Verifiers.Snp;
using PodVm.Attestation.Verifiers.Tdx;
using PodVm.Attestation.Verifiers.Tpm;

namespace PodVm.Attestation.Benchmarks;

/// <summary>
/// One full verification per TEE (chains, CRLs and imported keys cached where the verifier caches them: SNP, TDX)
/// beside the floor: only the signature checks that verification cannot skip, on the same bytes, in the same run.
/// Min and median are shown beside the mean: on a shared machine the mean carries other processes' stalls.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class VerifierBenchmarks : IDisposable
{
    private static readonly DateTimeOffset SnpTime = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset TdxTime = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset TdxCrlTime = new(2023, 6, 20, 0, 0, 0, TimeSpan.Zero);
    private IEvidenceVerifier _snp = null!;
    private IEvidenceVerifier _tdx = null!;
    private IEvidenceVerifier _tdxWithCrls = null!;
    private EvidenceToVerify _tdxCrlEvidence = null!;
    private IEvidenceVerifier _tpm = null!;
    private IEvidenceVerifier _azSnp = null!;
    private IEvidenceVerifier _localDev = null!;
    private EvidenceToVerify _snpEvidence = null!;
    private EvidenceToVerify _tdxEvidence = null!;
    private EvidenceToVerify _tpmEvidence = null!;
    private EvidenceToVerify _azSnpEvidence = null!;
    private EvidenceToVerify _localDevEvidence = null!;
    private byte[] _snpReport = null!;
    private byte[] _snpSignature = null!;
    private ECDsa _vcek = null!;
    private byte[] _tdxSigned = null!;
    private byte[] _tdxSignature = null!;
    private ECDsa _tdxAttestationKey = null!;
    private byte[] _qeReport = null!;
    private byte[] _qeSignature = null!;
    private ECDsa _pck = null!;
    private byte[] _tpmMessage = null!;
    private byte[] _tpmSignature = null!;
    private RSA _ak = null!;
    private ECDsa _platform = null!;
    private byte[] _localDevPayload = null!;
    private byte[] _localDevSignature = null!;

    [GlobalSetup]
    public void Setup()
    {
        var vectors = FindVectors();
        byte[] V(string p) => File.ReadAllBytes(Path.Combine(vectors, p));

        _snp = EvidenceVerifiers.CreateSnp(new SnpVerifierOptions(), TimeProvider.System);
        _snpReport = V("trustee-snp/test-report.bin");
        var vcekDer = V("trustee-snp/test-vcek.der");
        _snpEvidence = new EvidenceToVerify { Evidence = _snpReport, Certificates = [vcekDer], At = SnpTime };
        _snpSignature = new byte[96];
        _snpReport.AsSpan(0x2A0, 48).CopyTo(_snpSignature);
        _snpReport.AsSpan(0x2E8, 48).CopyTo(_snpSignature.AsSpan(48));
        _snpSignature.AsSpan(0, 48).Reverse();
        _snpSignature.AsSpan(48, 48).Reverse();
        using (var cert = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(vcekDer))
        {
            _vcek = cert.GetECDsaPublicKey()!;
        }

        _tdx = EvidenceVerifiers.CreateTdx(new TdxVerifierOptions(), TimeProvider.System);
        var quoteBytes = V("trustee-tdx/tdx_quote_4.dat");
        _tdxEvidence = new EvidenceToVerify { Evidence = quoteBytes, At = TdxTime };
        _tdxWithCrls = EvidenceVerifiers.CreateTdx(
            new TdxVerifierOptions { CollateralSource = new StaticTdxCollateralSource(new TdxCollateral { PckCrl = V("intel-collateral/pckcrl"), RootCaCrl = V("intel-collateral/rootcrl.der") }) },
            TimeProvider.System);
        _tdxCrlEvidence = new EvidenceToVerify { Evidence = quoteBytes, At = TdxCrlTime };
        var quote = TdxQuote.Parse(quoteBytes);
        _tdxSigned = quote.SignedPart;
        _tdxSignature = quote.Signature;
        _tdxAttestationKey = TdxQuote.P256FromRaw(quote.AttestationKey);
        _qeReport = quote.QeReport;
        _qeSignature = quote.QeReportSignature;
        var pem = System.Text.Encoding.ASCII.GetString(quote.PckChainPem).TrimEnd('\0');
        using (var pck = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem))
        {
            _pck = pck.GetECDsaPublicKey()!;
        }

        _tpm = EvidenceVerifiers.CreateTpm(new TpmVerifierOptions(), TimeProvider.System);
        _tpmEvidence = new EvidenceToVerify { Evidence = V("trustee-tpm/tpm_evidence.json") };
        _tpmMessage = V("trustee-tpm/tpm_evidence.quote-msg.DERIVED.bin");
        _tpmSignature = V("trustee-tpm/tpm_evidence.quote-sig-TPMT_SIGNATURE.DERIVED.bin")[6..];
        _ak = RSA.Create();
        _ak.ImportSubjectPublicKeyInfo(V("trustee-tpm/tpm_evidence.ak-pub.DERIVED.der"), out _);

        _azSnp = EvidenceVerifiers.CreateAzSnpVtpm(new SnpVerifierOptions(), TimeProvider.System);
        _azSnpEvidence = new EvidenceToVerify { Evidence = V("trustee-az-snp-vtpm/evidence-v1.json"), At = SnpTime };

        _platform = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        _localDev = EvidenceVerifiers.CreateLocalDev(new LocalDevTeeVerifierOptions { TrustedPlatformKeys = [_platform.ExportSubjectPublicKeyInfo()], MaxAge = TimeSpan.FromDays(3650) }, TimeProvider.System);
        var report = new LocalDevTeeReport { Measurement = new byte[48], HostData = new byte[32], ReportData = new byte[64], Timestamp = DateTimeOffset.UtcNow };
        _localDevEvidence = new EvidenceToVerify { Evidence = new LocalDevTeeReportSigner(_platform).Sign(report) };
        _localDevPayload = new byte[400];
        _localDevSignature = _platform.SignData(_localDevPayload, HashAlgorithmName.SHA384);

        foreach (var (verifier, evidence) in new[] { (_snp, _snpEvidence), (_tdx, _tdxEvidence), (_tdxWithCrls, _tdxCrlEvidence), (_tpm, _tpmEvidence), (_azSnp, _azSnpEvidence), (_localDev, _localDevEvidence) })
        {
            var result = verifier.VerifyAsync(evidence, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            if (!result.IsVerified)
            {
                throw new InvalidOperationException($"{verifier.Tee} vector does not verify: {result.Failure}");
            }
        }
    }

    [Benchmark]
    public bool SnpVerify() => _snp.VerifyAsync(_snpEvidence, CancellationToken.None).AsTask().GetAwaiter().GetResult().IsVerified;

    [Benchmark]
    public bool SnpFloor() => _vcek.VerifyData(_snpReport.AsSpan(0, 0x2A0), _snpSignature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark]
    public bool TdxVerify() => _tdx.VerifyAsync(_tdxEvidence, CancellationToken.None).AsTask().GetAwaiter().GetResult().IsVerified;

    [Benchmark]
    public bool TdxVerifyWithCrls() => _tdxWithCrls.VerifyAsync(_tdxCrlEvidence, CancellationToken.None).AsTask().GetAwaiter().GetResult().IsVerified;

    [Benchmark]
    public bool TdxFloor() =>
        _tdxAttestationKey.VerifyData(_tdxSigned, _tdxSignature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
        & _pck.VerifyData(_qeReport, _qeSignature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark]
    public bool TpmVerify() => _tpm.VerifyAsync(_tpmEvidence, CancellationToken.None).AsTask().GetAwaiter().GetResult().IsVerified;

    [Benchmark]
    public bool TpmFloor() => _ak.VerifyData(_tpmMessage, _tpmSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark]
    public bool AzSnpVtpmVerify() => _azSnp.VerifyAsync(_azSnpEvidence, CancellationToken.None).AsTask().GetAwaiter().GetResult().IsVerified;

    [Benchmark]
    public bool LocalDevVerify() => _localDev.VerifyAsync(_localDevEvidence, CancellationToken.None).AsTask().GetAwaiter().GetResult().IsVerified;

    [Benchmark]
    public bool LocalDevFloor() => _platform.VerifyData(_localDevPayload, _localDevSignature, HashAlgorithmName.SHA384);

    public void Dispose()
    {
        _vcek?.Dispose();
        _tdxAttestationKey?.Dispose();
        _pck?.Dispose();
        _ak?.Dispose();
        _platform?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string FindVectors()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        for (; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "attestation-vectors");
            if (File.Exists(Path.Combine(dir.FullName, "PodVm.sln")) && Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return Environment.GetEnvironmentVariable("PODVM_ATTESTATION_VECTORS") ?? throw new InvalidOperationException("attestation vectors not found (../shared/attestation-vectors beside the checkout, or PODVM_ATTESTATION_VECTORS)");
    }
}
