using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.AzureVtpm;

/// <summary>
/// Azure's HCL (paravisor) report: "HCLA" header (0x20 bytes), the hardware report at 0x20 (a 1184-byte SNP report or
/// a 1024-byte TDREPORT), a runtime-data header at 0x4C0 (data size, version, report type 2 = SNP / 4 = TDX, hash
/// type, variable-data size) and the variable data at 0x4D4: JSON holding the vTPM keys (HCLAkPub, HCLEkPub as RSA
/// JWKs), vm-configuration and user-data. The hardware report's REPORT_DATA[0:32] = SHA-256(variable data) binds them.
/// </summary>
internal sealed class HclReport
{
    public const int ReportTypeSnp = 2;
    public const int ReportTypeTdx = 4;
    private const int HardwareReportOffset = 0x20;
    private const int RuntimeHeaderOffset = 0x4C0;
    private const int VariableDataOffset = 0x4D4;

    private HclReport(byte[] hardwareReport, int reportType, byte[] variableData)
    {
        HardwareReport = hardwareReport;
        ReportType = reportType;
        VariableData = variableData;
    }

    public byte[] HardwareReport { get; }

    public int ReportType { get; }

    public byte[] VariableData { get; }

    public static HclReport Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < VariableDataOffset || data.Length > 64 * 1024)
        {
            throw VerificationException.Malformed($"an HCL report of {data.Length} bytes is too short or too large");
        }

        if (!data.StartsWith("HCLA"u8))
        {
            throw VerificationException.Malformed("the HCL report does not start with \"HCLA\"");
        }

        var reportType = (int)BinaryPrimitives.ReadUInt32LittleEndian(data[(RuntimeHeaderOffset + 8)..]);
        var variableSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(data[(RuntimeHeaderOffset + 16)..]);
        if (variableSize < 0 || variableSize > data.Length - VariableDataOffset)
        {
            throw VerificationException.Malformed($"the HCL variable data size {variableSize} exceeds the report");
        }

        var hardwareLength = reportType switch
        {
            ReportTypeSnp => 1184,
            ReportTypeTdx => 1024,
            _ => throw new VerificationException(VerificationFailureReason.UnsupportedPlatform, $"HCL report type {reportType} is neither SNP (2) nor TDX (4)"),
        };
        return new HclReport(data.Slice(HardwareReportOffset, hardwareLength).ToArray(), reportType, data.Slice(VariableDataOffset, variableSize).ToArray());
    }

    public byte[] VariableDataDigest() => SHA256.HashData(VariableData);

    /// <summary>The vTPM attestation key (HCLAkPub) as a DER SubjectPublicKeyInfo.</summary>
    public byte[] AkSubjectPublicKeyInfo()
    {
        using var document = JsonEvidence.Parse(VariableData, "HCL variable data");
        var keys = JsonEvidence.Property(document.RootElement, "keys", "HCL variable data");
        if (keys.ValueKind != JsonValueKind.Array)
        {
            throw VerificationException.Malformed("HCL variable data keys is not an array");
        }

        foreach (var key in keys.EnumerateArray())
        {
            if (key.TryGetProperty("kid", out var kid) && kid.ValueEquals("HCLAkPub"))
            {
                using var rsa = RSA.Create();
                rsa.ImportParameters(new RSAParameters
                {
                    Modulus = TrimLeadingZero(JsonEvidence.Base64(JsonEvidence.Property(key, "n", "HCLAkPub"), "HCLAkPub.n")),
                    Exponent = JsonEvidence.Base64(JsonEvidence.Property(key, "e", "HCLAkPub"), "HCLAkPub.e"),
                });
                return rsa.ExportSubjectPublicKeyInfo();
            }
        }

        throw VerificationException.Malformed("HCL variable data has no HCLAkPub key");
    }

    /// <summary>The user-data bytes (hex in the JSON), or empty.</summary>
    public byte[] UserData()
    {
        using var document = JsonEvidence.Parse(VariableData, "HCL variable data");
        return JsonEvidence.OptionalProperty(document.RootElement, "user-data") is { ValueKind: JsonValueKind.String } userData
            ? JsonEvidence.HexString(userData, "user-data")
            : [];
    }

    public System.Text.Json.Nodes.JsonNode? VmConfiguration()
    {
        using var document = JsonEvidence.Parse(VariableData, "HCL variable data");
        return JsonEvidence.OptionalProperty(document.RootElement, "vm-configuration") is { } config
            ? System.Text.Json.Nodes.JsonNode.Parse(config.GetRawText())
            : null;
    }

    private static byte[] TrimLeadingZero(byte[] value) => value.Length > 1 && value[0] == 0 ? value[1..] : value;
}
