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
/// CHIP_ID. Shared by the SNP and Azure SNP vTPM verifiers.
/// </summary>
/// <remarks>
/// Chain cache: what follows from the certificate bytes alone (decoding, the chain's RSA-PSS signatures, the ARK pin,
/// the AMD extensions, the VEK's imported public key) is cached under the SHA-256 of exactly those bytes, and only
/// once every chain check passed. Everything that depends on the report or on the verification time is checked on
/// every call, cached chain or not: VCEK/VLEK against KEY_INFO, the generation against CPUID, the three validity
/// windows, the report signature, REPORTED_TCB and CHIP_ID. AMD SEV has no revocation list in this verifier's inputs.
/// </remarks>
internal sealed class SnpReportVerifier
{
    private const int ChainCacheCapacity = 1024;
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    private readonly ISnpCertificateSource? _certificateSource;
    private readonly BoundedCache<SnpVerifiedKey> _chains = new(ChainCacheCapacity);

    public SnpReportVerifier(SnpVerifierOptions options)
    {
        _certificateSource = options.CertificateSource;
    }

    /// <summary>Verified chains currently cached (tests).</summary>
    internal int CachedChains => _chains.Count;

    public async ValueTask<JsonObject> VerifyAsync(SnpReport report, IReadOnlyList<ReadOnlyMemory<byte>> supplied, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var isVlekReport = report.SigningKey switch
        {
            0 => false,
            1 => true,
            _ => throw new VerificationException(VerificationFailureReason.SignatureInvalid, $"the report is not signed by a VCEK or VLEK (KEY_INFO.SIGNING_KEY = {report.SigningKey})"),
        };

        var key = await VerifiedKeyAsync(report, supplied, isVlekReport, cancellationToken).ConfigureAwait(false);
        var role = key.IsVlek ? "VLEK" : "VCEK";
        if (key.IsVlek != isVlekReport)
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the report is signed by a {(isVlekReport ? "VLEK" : "VCEK")} but the certificate is a {role}");
        }

        if (report.CpuidGeneration is { } reportGeneration && reportGeneration != key.Generation)
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the report is from a {reportGeneration} processor but the {role} chains to {key.Generation}");
        }

        CertificateValidity.Require(key.Vek, at, role);
        CertificateValidity.Require(key.Intermediate, at, key.IsVlek ? "ASVK" : "ASK");
        CertificateValidity.Require(key.Ark, at, "ARK");

        if (!key.Key.VerifyData(report.SignedBytes, report.SignatureP1363(), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw new VerificationException(VerificationFailureReason.SignatureInvalid, $"the report signature does not verify with the {role}");
        }

        var reportedTcb = SnpTcb.FromRaw(report.ReportedTcbRaw, key.Generation);
        CheckTcb(reportedTcb, key);
        if (!key.IsVlek)
        {
            CheckChipId(report, key);
        }

        return SnpClaims.Build(report, key, reportedTcb);
    }

    private async ValueTask<SnpVerifiedKey> VerifiedKeyAsync(SnpReport report, IReadOnlyList<ReadOnlyMemory<byte>> supplied, bool isVlekReport, CancellationToken cancellationToken)
    {
        var cacheKey = ContentKey.Of(supplied);
        if (_chains.TryGet(cacheKey, out var cached))
        {
            return cached;
        }

        X509Certificate2? vek = null, ark = null, intermediate = null;
        foreach (var certificate in supplied.SelectMany(s => CertificateDecoder.DecodeAll(s.Span, "supplied certificate")))
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

        if (vek is null)
        {
            // The VEK comes from the certificate source (KDS behind a cache): the chain is keyed by those bytes too.
            var fetched = await FetchVcekAsync(report, isVlekReport, cancellationToken).ConfigureAwait(false);
            cacheKey = ContentKey.Of([.. supplied, fetched]);
            if (_chains.TryGet(cacheKey, out cached))
            {
                return cached;
            }

            vek = CertificateDecoder.DecodeOne(fetched, "fetched VCEK");
        }

        return _chains.Add(cacheKey, VerifyChain(vek, intermediate, ark));
    }

    private async ValueTask<byte[]> FetchVcekAsync(SnpReport report, bool isVlek, CancellationToken cancellationToken)
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
                return der;
            }
        }

        throw new VerificationException(VerificationFailureReason.CollateralUnavailable, "no VCEK could be obtained for this chip and TCB");
    }

    /// <summary>The checks that depend only on the certificates: their result is what the chain cache holds.</summary>
    private static SnpVerifiedKey VerifyChain(X509Certificate2 vek, X509Certificate2? intermediate, X509Certificate2? ark)
    {
        var issuer = vek.GetNameInfo(X509NameType.SimpleName, forIssuer: true);
        var subject = vek.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var isVlek = string.Equals(subject, "SEV-VLEK", StringComparison.Ordinal);
        if (!isVlek && !string.Equals(subject, "SEV-VCEK", StringComparison.Ordinal))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the signing certificate '{subject}' is neither a VCEK nor a VLEK");
        }

        var generation = GenerationOfIssuer(issuer)
            ?? throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the {subject} is issued by '{issuer}', not an AMD SEV CA");
        var roots = AmdRootCertificates.For(generation);
        if (ark is not null && !X509SignatureVerifier.SameKey(ark, roots.Ark))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the supplied ARK '{ark.Subject}' is not AMD's {generation} ARK");
        }

        intermediate ??= isVlek ? roots.Asvk : roots.Ask;
        if (!X509SignatureVerifier.IsSignedBy(intermediate, roots.Ark))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"'{intermediate.Subject}' is not signed by AMD's {generation} ARK");
        }

        if (!X509SignatureVerifier.IsSignedBy(vek, intermediate))
        {
            throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the {subject} is not signed by '{intermediate.GetNameInfo(X509NameType.SimpleName, false)}'");
        }

        var publicKey = vek.GetECDsaPublicKey()
            ?? throw new VerificationException(VerificationFailureReason.CertificateChainInvalid, $"the {subject} has no EC public key");
        return new SnpVerifiedKey(generation, isVlek, EcdsaVerificationKey.Own(publicKey), SnpVekExtensions.Parse(vek), vek, intermediate, roots.Ark);
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
