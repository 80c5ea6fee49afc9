using System.Buffers.Binary;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Snp;

/// <summary>
/// An SEV-SNP ATTESTATION_REPORT (1184 bytes, little-endian; bytes 0x000..0x29F signed by the VCEK or VLEK with
/// ECDSA P-384/SHA-384, R and S as 72-byte little-endian fields at 0x2A0 and 0x2E8).
/// </summary>
internal sealed class SnpReport
{
    public const int Size = 0x4A0;
    public const int SignedLength = 0x2A0;

    private SnpReport(byte[] raw)
    {
        Raw = raw;
    }

    public byte[] Raw { get; }

    public uint Version => BinaryPrimitives.ReadUInt32LittleEndian(Raw.AsSpan(0x000));

    public uint GuestSvn => BinaryPrimitives.ReadUInt32LittleEndian(Raw.AsSpan(0x004));

    public ulong Policy => BinaryPrimitives.ReadUInt64LittleEndian(Raw.AsSpan(0x008));

    public ReadOnlySpan<byte> FamilyId => Raw.AsSpan(0x010, 16);

    public ReadOnlySpan<byte> ImageId => Raw.AsSpan(0x020, 16);

    public uint Vmpl => BinaryPrimitives.ReadUInt32LittleEndian(Raw.AsSpan(0x030));

    public uint SignatureAlgorithm => BinaryPrimitives.ReadUInt32LittleEndian(Raw.AsSpan(0x034));

    public ulong CurrentTcbRaw => BinaryPrimitives.ReadUInt64LittleEndian(Raw.AsSpan(0x038));

    public ulong PlatformInfo => BinaryPrimitives.ReadUInt64LittleEndian(Raw.AsSpan(0x040));

    public uint KeyInfo => BinaryPrimitives.ReadUInt32LittleEndian(Raw.AsSpan(0x048));

    /// <summary>Bits 4:2 of KEY_INFO: 0 = VCEK, 1 = VLEK, 7 = none.</summary>
    public uint SigningKey => (KeyInfo >> 2) & 0x7;

    public bool MaskChipKey => (KeyInfo & 0x2) != 0;

    public bool AuthorKeyEnabled => (KeyInfo & 0x1) != 0;

    public ReadOnlySpan<byte> ReportData => Raw.AsSpan(0x050, 64);

    public ReadOnlySpan<byte> Measurement => Raw.AsSpan(0x090, 48);

    public ReadOnlySpan<byte> HostData => Raw.AsSpan(0x0C0, 32);

    public ReadOnlySpan<byte> IdKeyDigest => Raw.AsSpan(0x0E0, 48);

    public ReadOnlySpan<byte> AuthorKeyDigest => Raw.AsSpan(0x110, 48);

    public ReadOnlySpan<byte> ReportId => Raw.AsSpan(0x140, 32);

    public ReadOnlySpan<byte> ReportIdMa => Raw.AsSpan(0x160, 32);

    public ulong ReportedTcbRaw => BinaryPrimitives.ReadUInt64LittleEndian(Raw.AsSpan(0x180));

    public byte CpuidFamily => Raw[0x188];

    public byte CpuidModel => Raw[0x189];

    public byte CpuidStepping => Raw[0x18A];

    public ReadOnlySpan<byte> ChipId => Raw.AsSpan(0x1A0, 64);

    public ulong CommittedTcbRaw => BinaryPrimitives.ReadUInt64LittleEndian(Raw.AsSpan(0x1E0));

    public ReadOnlySpan<byte> CurrentVersion => Raw.AsSpan(0x1E8, 3);

    public ReadOnlySpan<byte> CommittedVersion => Raw.AsSpan(0x1EC, 3);

    public ulong LaunchTcbRaw => BinaryPrimitives.ReadUInt64LittleEndian(Raw.AsSpan(0x1F0));

    public ulong LaunchMitigationVector => BinaryPrimitives.ReadUInt64LittleEndian(Raw.AsSpan(0x1F8));

    public ulong CurrentMitigationVector => BinaryPrimitives.ReadUInt64LittleEndian(Raw.AsSpan(0x200));

    public ReadOnlySpan<byte> SignedBytes => Raw.AsSpan(0, SignedLength);

    /// <summary>The processor generation from the CPUID fields (report version 3 and later), or null.</summary>
    public SnpProcessorGeneration? CpuidGeneration
    {
        get
        {
            if (Version < 3)
            {
                return null;
            }

            return (CpuidFamily, CpuidModel) switch
            {
                (0x19, <= 0x0F) => SnpProcessorGeneration.Milan,
                (0x19, >= 0x10 and <= 0x1F) or (0x19, >= 0xA0 and <= 0xAF) => SnpProcessorGeneration.Genoa,
                (0x1A, <= 0x11) => SnpProcessorGeneration.Turin,
                _ => null,
            };
        }
    }

    /// <summary>The signature as the 96-byte big-endian r‖s that .NET's IEEE P1363 format expects.</summary>
    public byte[] SignatureP1363()
    {
        var signature = new byte[96];
        var r = Raw.AsSpan(0x2A0, 72);
        var s = Raw.AsSpan(0x2E8, 72);
        if (r[48..].ContainsAnyExcept((byte)0) || s[48..].ContainsAnyExcept((byte)0))
        {
            throw new VerificationException(VerificationFailureReason.SignatureInvalid, "report signature R or S exceeds 384 bits");
        }

        r[..48].CopyTo(signature);
        s[..48].CopyTo(signature.AsSpan(48));
        signature.AsSpan(0, 48).Reverse();
        signature.AsSpan(48, 48).Reverse();
        return signature;
    }

    public static SnpReport Parse(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != Size)
        {
            throw VerificationException.Malformed($"an SEV-SNP report is {Size} bytes, got {raw.Length}");
        }

        var report = new SnpReport(raw.ToArray());
        if (report.Version is < 2 or > 5)
        {
            throw new VerificationException(VerificationFailureReason.UnsupportedVersion, $"SEV-SNP report version {report.Version} is not supported (2 to 5)");
        }

        if (report.SignatureAlgorithm != 1)
        {
            throw new VerificationException(VerificationFailureReason.UnsupportedVersion, $"SEV-SNP signature algorithm {report.SignatureAlgorithm} is not ECDSA P-384/SHA-384 (1)");
        }

        return report;
    }
}
