using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// Verifies one SEV-SNP report: the VEK (VCEK or VLEK, supplied or fetched) chains through the ASK/ASVK to the
/// embedded ARK of its generation (RSASSA-PSS), every certificate is valid at the verification time, the report's
/// ECDSA P-384 signature verifies with the VEK, the VEK's TCB extensions equal REPORTED_TCB and its hwID equals
/// CHIP_ID. Verified chains are cached by the certificates' bytes. Shared by the SNP and Azure SNP vTPM verifiers.
/// </summary>
internal sealed class SnpReportVerifier
{
    private const int ChainCacheCapacity = 1024;
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    private readonly ISnpCertificateSource? _certificateSource;
    private readonly ConcurrentDictionary<string, SnpVerifiedKey> _chains = new(StringComparer.Ordinal);

    public SnpReportVerifier(SnpVerifierOptions options)
    {
        _certificateSource = options.CertificateSource;
    }

    public async ValueTask<JsonObject> VerifyAsync(SnpReport report, IReadOnlyList<X509Certificate2> supplied, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var isVlekReport = report.SigningKey switch
        {
            0 => false,
            1 => true,
            _ => throw new VerificationException(VerificationFailureReason.SignatureInvalid, $"the report is not signed by a VCEK or VLEK (KEY_INFO.SIGNING_KEY = {report.SigningKey})"),
        };

        X509Certificate2? vek = null, ark = null, intermediate = null;
        foreach (var certificate in supplied)
        {
            if (certificate.PublicKey.Oid.Value == EcPublicKeyOid)
            {
                vek ??= certificate;
            }
            else if (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
            {
                ark ??= certificate;
            }
            else
            {
                intermediate ??= certificate;
            }
        }

        vek ??= await FetchVcekAsync(report, isVlekReport, cancellationToken).ConfigureAwait(false);
        var key = VerifyChain(report, vek, intermediate, ark, isVlekReport);

        CertificateValidity.Require(key.Vek, at, key.IsVlek ? "VLEK" : "VCEK");
        CertificateValidity.Require(key.Intermediate, at, key.IsVlek ? "ASVK" : "ASK");
        CertificateValidity.Require(key.Ark, at, "ARK");

        using (var ecdsa = ECDsa.Create())
        {
            ecdsa.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo, out _);
            if (!ecdsa.VerifyData(report.SignedBytes, report.SignatureP1363(), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                throw new VerificationException(VerificationFailureReason.SignatureInvalid, $"the report signature does not verify with the {(key.IsVlek ? "VLEK" : "VCEK")}");
            }
        }

        var reportedTcb = SnpTcb.FromRaw(report.ReportedTcbRaw, key.Generation);
        CheckTcb(reportedTcb, key);
        if (!key.IsVlek)
        {
            CheckChipId(report, key);
        }

        return SnpClaims.Build(report, key, reportedTcb);
    }

    private async ValueTask<X509Certificate2> FetchVcekAsync(SnpReport report, bool isVlek, CancellationToken cancellationToken)
    {
        if (isVlek)
        {
            throw new VerificationException(VerificationFailureReason.CollateralUnavailable, "the report is VLEK-signed; the VLEK must come with the evidence");
        }

        if (_certificateSource is null)
        {
            throw new VerificationException(VerificationFailureReason.CollateralUnavailable, "the evidence carries no VCEK and no certificate source (KDS) is configured");
        }

        var chipId = report.ChipId.ToArray();
        IEnumerable<SnpProcessorGeneration> candidates = report.CpuidGeneration is { } known
            ? [known]
            : chipId.AsSpan(8).ContainsAnyExcept((byte)0) ? [SnpProcessorGeneration.Milan, SnpProcessorGeneration.Genoa] : [SnpProcessorGeneration.Turin];
        foreach (var generation in candidates)
        {
            var tcb = SnpTcb.FromRaw(report.ReportedTcbRaw, generation);
            var der = await _certificateSource.GetVcekAsync(generation, chipId, tcb, cancellationToken).ConfigureAwait(false);
            if (der is not null)
            {
                return CertificateDecoder.DecodeOne(der, "fetched VCEK");
            }
        }

        throw new VerificationException(VerificationFailureReason.CollateralUnavailable, "no VCEK could be obtained for this chip and TCB");
    }

    private SnpVerifiedKey VerifyChain(SnpReport report, X509Certificate2 vek, X509Certificate2? intermediate, X509Certificate2? ark, bool isVlekReport)
    {
        var issuer = vek.GetNameInfo(X509NameType.SimpleName, forIssuer: true);
        var subject = vek.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var isVlek = string.Equals(subject, "SEV-VLEK", StringComparison.Ordinal);
        if (!isVlek && !string.Equals(subject, "SEV-VCEK", StringComparison.Ordinal))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the signing certificate '{subject}' is neither a VCEK nor a VLEK");
        }

        if (isVlek != isVlekReport)
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the report is signed by a {(isVlekReport ? "VLEK" : "VCEK")} but the certificate is a {subject}");
        }

        var generation = GenerationOfIssuer(issuer)
            ?? throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the {subject} is issued by '{issuer}', not an AMD SEV CA");
        if (report.CpuidGeneration is { } reportGeneration && reportGeneration != generation)
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the report is from a {reportGeneration} processor but the {subject} chains to {generation}");
        }

        var roots = AmdRootCertificates.For(generation);
        if (ark is not null && !X509SignatureVerifier.SameKey(ark, roots.Ark))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the supplied ARK '{ark.Subject}' is not AMD's {generation} ARK");
        }

        intermediate ??= isVlek ? roots.Asvk : roots.Ask;
        var cacheKey = Convert.ToHexString(SHA256.HashData([.. vek.RawData, .. intermediate.RawData])) + generation;
        if (_chains.TryGetValue(cacheKey, out var cached))
        {
            return cached;
        }

        if (!X509SignatureVerifier.IsSignedBy(intermediate, roots.Ark))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"'{intermediate.Subject}' is not signed by AMD's {generation} ARK");
        }

        if (!X509SignatureVerifier.IsSignedBy(vek, intermediate))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the {subject} is not signed by '{intermediate.GetNameInfo(X509NameType.SimpleName, false)}'");
        }

        var verified = new SnpVerifiedKey(generation, isVlek, vek.PublicKey.ExportSubjectPublicKeyInfo(), SnpVekExtensions.Parse(vek), vek, intermediate, roots.Ark);
        if (_chains.Count >= ChainCacheCapacity)
        {
            _chains.Clear();
        }

        _chains[cacheKey] = verified;
        return verified;
    }

    private static SnpProcessorGeneration? GenerationOfIssuer(string issuer)
    {
        foreach (var generation in Enum.GetValues<SnpProcessorGeneration>())
        {
            if (string.Equals(issuer, $"SEV-{generation}", StringComparison.Ordinal) || string.Equals(issuer, $"SEV-VLEK-{generation}", StringComparison.Ordinal))
            {
                return generation;
            }
        }

        return null;
    }

    private static void CheckTcb(SnpTcb reported, SnpVerifiedKey key)
    {
        var e = key.Extensions;
        var fmcMismatch = key.Generation == SnpProcessorGeneration.Turin && e.FmcSpl != reported.Fmc;
        if (e.BootloaderSpl != reported.Bootloader || e.TeeSpl != reported.Tee || e.SnpSpl != reported.Snp || e.MicrocodeSpl != reported.Microcode || fmcMismatch)
        {
            var certified = $"fmc{e.FmcSpl}/bl{e.BootloaderSpl}/tee{e.TeeSpl}/snp{e.SnpSpl}/ucode{e.MicrocodeSpl}";
            throw new VerificationException(VerificationFailureReason.TcbMismatch, $"REPORTED_TCB {reported} differs from the TCB the {(key.IsVlek ? "VLEK" : "VCEK")} certifies ({certified})");
        }
    }

    private static void CheckChipId(SnpReport report, SnpVerifiedKey key)
    {
        var hwid = key.Extensions.HardwareId
            ?? throw new VerificationException(VerificationFailureReason.PlatformIdentityMismatch, "the VCEK has no hwID extension");
        var chipId = report.ChipId;
        var matches = hwid.Length switch
        {
            64 => chipId.SequenceEqual(hwid),
            8 => chipId[..8].SequenceEqual(hwid) && !chipId[8..].ContainsAnyExcept((byte)0),
            _ => false,
        };
        if (!matches)
        {
            throw new VerificationException(VerificationFailureReason.PlatformIdentityMismatch, $"CHIP_ID {Hex.Of(chipId)} differs from the VCEK hwID {Hex.Of(hwid)}");
        }
    }
}
