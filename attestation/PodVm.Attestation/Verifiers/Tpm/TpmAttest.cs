using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers.Common;

namespace PodVm.Attestation.Verifiers.Tpm;

/// <summary>
/// A TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE (big-endian): magic 0xFF544347, type 0x8018, qualifiedSigner,
/// extraData (the nonce), clockInfo, firmwareVersion, then TPMS_QUOTE_INFO (PCR selection and PCR digest).
/// </summary>
internal sealed record TpmAttest(
    byte[] QualifiedSigner,
    byte[] ExtraData,
    ulong Clock,
    uint ResetCount,
    uint RestartCount,
    bool Safe,
    ulong FirmwareVersion,
    IReadOnlyList<TpmPcrSelection> Selections,
    byte[] PcrDigest)
{
    public const uint Magic = 0xFF544347;
    public const ushort QuoteType = 0x8018;

    public static TpmAttest Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length > 4096)
        {
            throw VerificationException.Malformed($"TPMS_ATTEST of {data.Length} bytes is too large");
        }

        var reader = new SpanReader(data, "TPMS_ATTEST");
        if (reader.ReadUInt32BigEndian() != Magic)
        {
            throw VerificationException.Malformed("TPMS_ATTEST magic is not TPM_GENERATED_VALUE");
        }

        var type = reader.ReadUInt16BigEndian();
        if (type != QuoteType)
        {
            throw new VerificationException(VerificationFailureReason.UnsupportedVersion, $"TPMS_ATTEST type 0x{type:x4} is not a quote (0x8018)");
        }

        var signer = reader.ReadTpm2b().ToArray();
        var extraData = reader.ReadTpm2b().ToArray();
        var clock = reader.ReadUInt64BigEndian();
        var resetCount = reader.ReadUInt32BigEndian();
        var restartCount = reader.ReadUInt32BigEndian();
        var safe = reader.ReadByte() != 0;
        var firmware = reader.ReadUInt64BigEndian();
        var count = reader.ReadUInt32BigEndian();
        if (count > 16)
        {
            throw VerificationException.Malformed($"TPML_PCR_SELECTION count {count} is too large");
        }

        var selections = new List<TpmPcrSelection>();
        for (var i = 0; i < count; i++)
        {
            var alg = reader.ReadUInt16BigEndian();
            var size = reader.ReadByte();
            var bitmap = reader.ReadBytes(size);
            var pcrs = new List<int>();
            for (var pcr = 0; pcr < size * 8; pcr++)
            {
                if ((bitmap[pcr / 8] & (1 << (pcr % 8))) != 0)
                {
                    pcrs.Add(pcr);
                }
            }

            selections.Add(new TpmPcrSelection(alg, pcrs));
        }

        var digest = reader.ReadTpm2b().ToArray();
        if (reader.Remaining != 0)
        {
            throw VerificationException.Malformed($"TPMS_ATTEST has {reader.Remaining} trailing bytes");
        }

        return new TpmAttest(signer, extraData, clock, resetCount, restartCount, safe, firmware, selections, digest);
    }
}
