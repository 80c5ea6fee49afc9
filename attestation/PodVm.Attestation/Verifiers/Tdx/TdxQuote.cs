using System.Buffers.Binary;
using System.Security.Cryptography;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tdx;

/// <summary>
/// An Intel TDX DCAP quote, version 4 (48-byte header, 584-byte TD report body) or 5 (header, u16 body type 2/3,
/// u32 body size, 584/648-byte body), then the ECDSA-P256 signature data: quote signature, attestation key, and
/// QE report certification data (type 6) holding the QE report, its signature, QE auth data and the PCK chain (type 5).
/// </summary>
internal sealed class TdxQuote
{
    public const int HeaderLength = 48;
    public const uint TdxTeeType = 0x81;

    private TdxQuote()
    {
    }

    public ushort Version { get; private init; }

    public ushort BodyType { get; private init; }

    public byte[] Header { get; private init; } = [];

    public byte[] Body { get; private init; } = [];

    /// <summary>Header and body as signed by the attestation key.</summary>
    public byte[] SignedPart { get; private init; } = [];

    public byte[] Signature { get; private init; } = [];

    public byte[] AttestationKey { get; private init; } = [];

    public byte[] QeReport { get; private init; } = [];

    public byte[] QeReportSignature { get; private init; } = [];

    public byte[] QeAuthData { get; private init; } = [];

    public byte[] PckChainPem { get; private init; } = [];

    public ReadOnlySpan<byte> TeeTcbSvn => Body.AsSpan(0, 16);

    public ReadOnlySpan<byte> MrSeam => Body.AsSpan(16, 48);

    public ReadOnlySpan<byte> MrSignerSeam => Body.AsSpan(64, 48);

    public ReadOnlySpan<byte> SeamAttributes => Body.AsSpan(112, 8);

    public ulong TdAttributes => BinaryPrimitives.ReadUInt64LittleEndian(Body.AsSpan(120, 8));

    public ReadOnlySpan<byte> TdAttributesBytes => Body.AsSpan(120, 8);

    public ReadOnlySpan<byte> Xfam => Body.AsSpan(128, 8);

    public ReadOnlySpan<byte> MrTd => Body.AsSpan(136, 48);

    public ReadOnlySpan<byte> MrConfigId => Body.AsSpan(184, 48);

    public ReadOnlySpan<byte> MrOwner => Body.AsSpan(232, 48);

    public ReadOnlySpan<byte> MrOwnerConfig => Body.AsSpan(280, 48);

    public ReadOnlySpan<byte> Rtmr(int i) => Body.AsSpan(328 + (48 * i), 48);

    public ReadOnlySpan<byte> ReportData => Body.AsSpan(520, 64);

    public ReadOnlySpan<byte> UserData => Header.AsSpan(28, 20);

    public static TdxQuote Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length > 64 * 1024)
        {
            throw VerificationException.Malformed($"a TDX quote of {data.Length} bytes is too large");
        }

        var reader = new SpanReader(data, "TDX quote");
        var header = reader.ReadBytes(HeaderLength);
        var version = BinaryPrimitives.ReadUInt16LittleEndian(header);
        var keyType = BinaryPrimitives.ReadUInt16LittleEndian(header[2..]);
        var teeType = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (version is not (4 or 5))
        {
            throw new VerificationException(VerificationFailureReason.UnsupportedVersion, $"quote version {version} is not a TDX quote v4 or v5");
        }

        if (teeType != TdxTeeType)
        {
            throw new VerificationException(VerificationFailureReason.UnsupportedPlatform, $"quote TEE type 0x{teeType:x} is not TDX (0x81)");
        }

        if (keyType != 2)
        {
            throw new VerificationException(VerificationFailureReason.UnsupportedVersion, $"attestation key type {keyType} is not ECDSA-256 with P-256 (2)");
        }

        ushort bodyType = 2;
        int bodyLength = 584;
        if (version == 5)
        {
            bodyType = reader.ReadUInt16LittleEndian();
            bodyLength = (int)reader.ReadUInt32LittleEndian();
            if (!(bodyType == 2 && bodyLength == 584) && !(bodyType == 3 && bodyLength == 648))
            {
                throw new VerificationException(VerificationFailureReason.UnsupportedVersion, $"quote v5 body type {bodyType} of {bodyLength} bytes is not TDX 1.0 (2, 584) or 1.5 (3, 648)");
            }
        }

        var body = reader.ReadBytes(bodyLength).ToArray();
        var signedPart = data[..reader.Position].ToArray();
        var signatureDataLength = (int)reader.ReadUInt32LittleEndian();
        var sigData = new SpanReader(reader.ReadBytes(signatureDataLength), "quote signature data");
        var signature = sigData.ReadBytes(64).ToArray();
        var attestationKey = sigData.ReadBytes(64).ToArray();
        var certType = sigData.ReadUInt16LittleEndian();
        var certSize = (int)sigData.ReadUInt32LittleEndian();
        if (certType != 6)
        {
            throw new VerificationException(VerificationFailureReason.UnsupportedVersion, $"certification data type {certType} is not QE report certification data (6)");
        }

        var cert = new SpanReader(sigData.ReadBytes(certSize), "QE report certification data");
        var qeReport = cert.ReadBytes(384).ToArray();
        var qeSignature = cert.ReadBytes(64).ToArray();
        var authData = cert.ReadBytes(cert.ReadUInt16LittleEndian()).ToArray();
        var innerType = cert.ReadUInt16LittleEndian();
        var innerSize = (int)cert.ReadUInt32LittleEndian();
        if (innerType != 5)
        {
            throw new VerificationException(VerificationFailureReason.CollateralUnavailable, $"the quote carries certification data type {innerType}, not the PCK chain (5)");
        }

        var chain = cert.ReadBytes(innerSize).ToArray();
        return new TdxQuote
        {
            Version = version,
            BodyType = bodyType,
            Header = header.ToArray(),
            Body = body,
            SignedPart = signedPart,
            Signature = signature,
            AttestationKey = attestationKey,
            QeReport = qeReport,
            QeReportSignature = qeSignature,
            QeAuthData = authData,
            PckChainPem = chain,
        };
    }

    public static ECDsa P256FromRaw(ReadOnlySpan<byte> xy)
    {
        return ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = xy[..32].ToArray(), Y = xy[32..64].ToArray() },
        });
    }
}
