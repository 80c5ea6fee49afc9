using System.Formats.Cbor;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;
using PodVm.Attestation.Verifiers.Tpm;

namespace PodVm.Attestation.Verifiers.LocalDev;

/// <summary>
/// Verifies local development TEE reports (docs/attestation/local-dev-tee.md): a COSE_Sign1 ES384 by a configured
/// platform key, a version-1 payload whose platform_id is that key's id, a timestamp within the allowed age, and the
/// report data and host data bindings. Disabled (TeeDisabled) when no platform key is configured; its claims always
/// carry <c>"development_tee": true</c> so no policy can mistake them for hardware evidence.
/// </summary>
internal sealed class LocalDevTeeVerifier : IEvidenceVerifier
{
    // The configured platform keys, imported once (an import costs about a verification) and kept for every report.
    private readonly Dictionary<string, EcdsaVerificationKey> _trustedKeys = new(StringComparer.Ordinal);
    private readonly LocalDevTeeVerifierOptions _options;
    private readonly TimeProvider _time;

    public LocalDevTeeVerifier(LocalDevTeeVerifierOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        foreach (var key in options.TrustedPlatformKeys)
        {
            var ecdsa = ImportPublicKey(key.Span);
            if (ecdsa.KeySize != 384)
            {
                ecdsa.Dispose();
                throw new ArgumentException("local development TEE platform keys must be ECDSA P-384", nameof(options));
            }

            _trustedKeys[Hex.Of(LocalDevTeeFormat.KeyId(ecdsa))] = EcdsaVerificationKey.Own(ecdsa);
        }
    }

    public TeeType Tee => TeeType.LocalDev;

    public ValueTask<VerificationResult> VerifyAsync(EvidenceToVerify evidence, CancellationToken cancellationToken) =>
        ValueTask.FromResult(VerifierGuard.Run(Tee, evidence, () => Verify(evidence)));

    private VerificationResult Verify(EvidenceToVerify evidence)
    {
        if (_trustedKeys.Count == 0)
        {
            throw new VerificationException(VerificationFailureReason.TeeDisabled, "the local development TEE is disabled: no platform key is configured");
        }

        var message = DecodeMessage(evidence.Evidence, out var vtpm);
        var headers = message.ProtectedHeaders;
        if (!headers.TryGetValue(CoseHeaderLabel.Algorithm, out var alg) || alg.GetValueAsInt32() != LocalDevTeeFormat.Es384)
        {
            throw new VerificationException(VerificationFailureReason.UnsupportedVersion, "the report is not signed with ES384 (protected header 1 must be -35)");
        }

        if (!headers.TryGetValue(CoseHeaderLabel.ContentType, out var contentType) || contentType.GetValueAsString() != LocalDevTeeFormat.ContentType)
        {
            throw VerificationException.Malformed($"the report's content type is not {LocalDevTeeFormat.ContentType}");
        }

        if (!headers.TryGetValue(CoseHeaderLabel.KeyIdentifier, out var kidValue))
        {
            throw VerificationException.Malformed("the report has no key id (protected header 4)");
        }

        var kid = kidValue.GetValueAsBytes();
        if (!_trustedKeys.TryGetValue(Hex.Of(kid), out var platformKey))
        {
            throw new VerificationException(VerificationFailureReason.AttestationKeyUntrusted, $"platform key {Hex.Of(kid)} is not a trusted local development TEE platform");
        }

        if (!platformKey.Verify(key => message.VerifyEmbedded(key)))
        {
            throw new VerificationException(VerificationFailureReason.SignatureInvalid, "the report's ES384 signature does not verify with its platform key");
        }

        var payload = message.Content ?? throw VerificationException.Malformed("the report has a detached payload");
        var report = DecodePayload(payload.Span, out var platformId);
        if (!platformId.AsSpan().SequenceEqual(kid))
        {
            throw new VerificationException(VerificationFailureReason.PlatformIdentityMismatch, "the payload's platform_id differs from the signing key id");
        }

        var at = evidence.At ?? _time.GetUtcNow();
        if (report.Timestamp > at + _options.MaxClockSkew || report.Timestamp < at - _options.MaxAge)
        {
            throw new VerificationException(VerificationFailureReason.StaleEvidence, $"the report was signed at {report.Timestamp:O}, outside {_options.MaxAge} before {at:O}");
        }

        Binding.RequireEqual(report.ReportData.Span, evidence.ExpectedReportData.Span, LocalDevTeeReport.ReportDataLength, VerificationFailureReason.ReportDataMismatch, "report_data");
        Binding.RequireEqual(report.HostData.Span, evidence.ExpectedInitDataDigest.Span, LocalDevTeeReport.HostDataLength, VerificationFailureReason.InitDataMismatch, "host_data");

        var claims = new JsonObject
        {
            ["development_tee"] = true,
            ["version"] = LocalDevTeeFormat.Version,
            ["measurement"] = Hex.Of(report.Measurement.Span),
            ["host_data"] = Hex.Of(report.HostData.Span),
            ["report_data"] = Hex.Of(report.ReportData.Span),
            ["platform_id"] = Hex.Of(platformId),
            ["timestamp"] = report.Timestamp.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        if (!report.TpmAkDigest.IsEmpty)
        {
            claims["tpm_ak_digest"] = Hex.Of(report.TpmAkDigest.Span);
        }

        // The vTPM: the report vouches for its AK by digest, as Azure's HCL report does for HCLAkPub. Evidence without
        // a quote yields no "tpm" claims; a policy that needs the vTPM requires them (docs/attestation/local-dev-tee.md).
        if (vtpm is { } quote)
        {
            if (report.TpmAkDigest.IsEmpty)
            {
                throw new VerificationException(VerificationFailureReason.AttestationKeyUntrusted, "the evidence carries a vTPM quote, but the report binds no attestation key (tpm_ak_digest)");
            }

            claims["tpm"] = TpmBoundQuote.Verify(quote, report.TpmAkDigest.Span, evidence);
        }

        return VerificationResult.Verified(Tee, claims);
    }

    // Raw COSE_Sign1 bytes, or JSON {"report": "<base64 COSE_Sign1>"} when it travels inside Trustee's tee-evidence,
    // with "tpm" (a vTPM quote) when the VM has a vTPM.
    private static CoseSign1Message DecodeMessage(ReadOnlyMemory<byte> evidence, out JsonElement? vtpm)
    {
        var bytes = evidence;
        vtpm = null;
        if (JsonEvidence.LooksLikeJson(evidence.Span))
        {
            using var document = JsonEvidence.Parse(evidence, "local development TEE evidence");
            bytes = JsonEvidence.Base64(JsonEvidence.Property(document.RootElement, "report", "local development TEE evidence"), "report");
            if (JsonEvidence.OptionalProperty(document.RootElement, "tpm") is { ValueKind: not JsonValueKind.Null } tpm)
            {
                vtpm = tpm.Clone();
            }
        }

        try
        {
            return CoseMessage.DecodeSign1(bytes.Span);
        }
        catch (CryptographicException e)
        {
            throw VerificationException.Malformed($"the report is not a COSE_Sign1: {e.Message}");
        }
    }

    private static LocalDevTeeReport DecodePayload(ReadOnlySpan<byte> payload, out byte[] platformId)
    {
        var reader = new CborReader(payload.ToArray(), CborConformanceMode.Ctap2Canonical);
        var count = reader.ReadStartMap() ?? throw VerificationException.Malformed("the payload map has an indefinite length");
        int? version = null;
        byte[]? measurement = null, hostData = null, reportData = null, akDigest = null, platform = null;
        ulong? timestamp = null;
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadTextString();
            switch (name)
            {
                case "version": version = reader.ReadInt32(); break;
                case "measurement": measurement = Fixed(reader, name, LocalDevTeeReport.MeasurementLength); break;
                case "host_data": hostData = Fixed(reader, name, LocalDevTeeReport.HostDataLength); break;
                case "report_data": reportData = Fixed(reader, name, LocalDevTeeReport.ReportDataLength); break;
                case "platform_id": platform = Fixed(reader, name, LocalDevTeeReport.KeyIdLength); break;
                case "tpm_ak_digest": akDigest = Fixed(reader, name, 32); break;
                case "timestamp": timestamp = reader.ReadUInt64(); break;
                default: throw VerificationException.Malformed($"the payload has an unknown key '{name}'");
            }
        }

        reader.ReadEndMap();
        if (reader.BytesRemaining != 0)
        {
            throw VerificationException.Malformed("the payload has trailing bytes");
        }

        if (version != LocalDevTeeFormat.Version)
        {
            throw new VerificationException(VerificationFailureReason.UnsupportedVersion, $"local development TEE report version {version?.ToString(CultureInfo.InvariantCulture) ?? "(missing)"} is not {LocalDevTeeFormat.Version}");
        }

        if (measurement is null || hostData is null || reportData is null || platform is null || timestamp is not { } seconds || seconds > 253402300799)
        {
            throw VerificationException.Malformed("the payload lacks measurement, host_data, report_data, platform_id or a valid timestamp");
        }

        platformId = platform;
        return new LocalDevTeeReport
        {
            Measurement = measurement,
            HostData = hostData,
            ReportData = reportData,
            TpmAkDigest = akDigest,
            Timestamp = DateTimeOffset.FromUnixTimeSeconds((long)seconds),
        };
    }

    private static byte[] Fixed(CborReader reader, string name, int length)
    {
        var value = reader.ReadByteString();
        return value.Length == length ? value : throw VerificationException.Malformed($"{name} is {value.Length} bytes, not {length}");
    }

    private static ECDsa ImportPublicKey(ReadOnlySpan<byte> key)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            if (CertificateDecoder.LooksLikePem(key))
            {
                ecdsa.ImportFromPem(Encoding.ASCII.GetString(key));
            }
            else
            {
                ecdsa.ImportSubjectPublicKeyInfo(key, out _);
            }

            return ecdsa;
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }
}
