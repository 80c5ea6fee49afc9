using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;

namespace PodVm.Attestation.Verifiers.LocalDev;

/// <summary>
/// Signs local development TEE reports with the platform key (ECDSA P-384): a tagged COSE_Sign1 with ES384 whose
/// payload is the report as a canonical CBOR map. The local QEMU provider holds the key; verifiers trust its public half.
/// </summary>
public sealed class LocalDevTeeReportSigner
{
    private readonly ECDsa _platformKey;
    private readonly byte[] _keyId;

    /// <param name="platformKey">A P-384 private key; the caller keeps ownership.</param>
    public LocalDevTeeReportSigner(ECDsa platformKey)
    {
        ArgumentNullException.ThrowIfNull(platformKey);
        if (platformKey.KeySize != 384)
        {
            throw new ArgumentException("the platform key must be ECDSA P-384", nameof(platformKey));
        }

        _platformKey = platformKey;
        _keyId = LocalDevTeeFormat.KeyId(platformKey);
    }

    /// <summary>The platform identity these reports carry.</summary>
    public ReadOnlyMemory<byte> KeyId => _keyId;

    public byte[] Sign(LocalDevTeeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        RequireLength(report.Measurement, LocalDevTeeReport.MeasurementLength, nameof(report.Measurement));
        RequireLength(report.HostData, LocalDevTeeReport.HostDataLength, nameof(report.HostData));
        RequireLength(report.ReportData, LocalDevTeeReport.ReportDataLength, nameof(report.ReportData));
        if (!report.TpmAkDigest.IsEmpty)
        {
            RequireLength(report.TpmAkDigest, 32, nameof(report.TpmAkDigest));
        }

        var protectedHeaders = new CoseHeaderMap
        {
            [CoseHeaderLabel.Algorithm] = CoseHeaderValue.FromInt32(LocalDevTeeFormat.Es384),
            [CoseHeaderLabel.ContentType] = CoseHeaderValue.FromString(LocalDevTeeFormat.ContentType),
            [CoseHeaderLabel.KeyIdentifier] = CoseHeaderValue.FromBytes(_keyId),
        };
        var signer = new CoseSigner(_platformKey, HashAlgorithmName.SHA384, protectedHeaders);
        return CoseSign1Message.SignEmbedded(EncodePayload(report, _keyId), signer);
    }

    internal static byte[] EncodePayload(LocalDevTeeReport report, ReadOnlySpan<byte> keyId)
    {
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        var withAk = !report.TpmAkDigest.IsEmpty;
        writer.WriteStartMap(withAk ? 7 : 6);
        writer.WriteTextString("version");
        writer.WriteInt32(LocalDevTeeFormat.Version);
        writer.WriteTextString("host_data");
        writer.WriteByteString(report.HostData.Span);
        writer.WriteTextString("timestamp");
        writer.WriteUInt64(checked((ulong)report.Timestamp.ToUnixTimeSeconds()));
        writer.WriteTextString("measurement");
        writer.WriteByteString(report.Measurement.Span);
        writer.WriteTextString("platform_id");
        writer.WriteByteString(keyId);
        writer.WriteTextString("report_data");
        writer.WriteByteString(report.ReportData.Span);
        if (withAk)
        {
            writer.WriteTextString("tpm_ak_digest");
            writer.WriteByteString(report.TpmAkDigest.Span);
        }

        writer.WriteEndMap();
        return writer.Encode();
    }

    private static void RequireLength(ReadOnlyMemory<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"{name} must be {length} bytes, not {value.Length}", name);
        }
    }
}
