using System.Buffers.Binary;

namespace PodVm.AgentProtocolForwarder.ConfigProcessing;

/// <summary>
/// Extends a PCR's SHA-256 bank through the kernel TPM device with a raw TPM2_PCR_Extend command (no tpm2-tools in
/// the VM). Command: header (tag TPM_ST_SESSIONS, size, TPM_CC_PCR_Extend), the PCR handle, a password
/// authorisation session (TPM_RS_PW, empty nonce and hmac), then TPML_DIGEST_VALUES with one SHA-256 digest.
/// </summary>
internal static class TpmPcrExtender
{
    public const int InitDataPcr = 8;
    private const ushort TpmStSessions = 0x8002;
    private const uint TpmCcPcrExtend = 0x00000182;
    private const uint TpmRsPw = 0x40000009;
    private const ushort TpmAlgSha256 = 0x000B;

    /// <summary>The 65-byte command that extends <paramref name="pcr"/> with a 32-byte SHA-256 digest.</summary>
    public static byte[] BuildExtendCommand(int pcr, ReadOnlySpan<byte> sha256Digest)
    {
        if (sha256Digest.Length != 32)
        {
            throw new ArgumentException("a SHA-256 PCR extend takes exactly 32 bytes", nameof(sha256Digest));
        }

        var cmd = new byte[65];
        var s = cmd.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(s, TpmStSessions);
        BinaryPrimitives.WriteUInt32BigEndian(s[2..], (uint)cmd.Length);
        BinaryPrimitives.WriteUInt32BigEndian(s[6..], TpmCcPcrExtend);
        BinaryPrimitives.WriteUInt32BigEndian(s[10..], (uint)pcr);
        BinaryPrimitives.WriteUInt32BigEndian(s[14..], 9);
        BinaryPrimitives.WriteUInt32BigEndian(s[18..], TpmRsPw);
        BinaryPrimitives.WriteUInt16BigEndian(s[22..], 0);
        s[24] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(s[25..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(s[27..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(s[31..], TpmAlgSha256);
        sha256Digest.CopyTo(s[33..]);
        return cmd;
    }

    /// <summary>Sends the command over <paramref name="device"/> (e.g. /dev/tpmrm0 opened read-write) and checks the response code.</summary>
    public static void Extend(Stream device, int pcr, ReadOnlySpan<byte> sha256Digest)
    {
        device.Write(BuildExtendCommand(pcr, sha256Digest));
        device.Flush();
        var response = new byte[4096];
        var n = device.Read(response);
        if (n < 10)
        {
            throw new IOException($"TPM2_PCR_Extend: short response ({n} bytes)");
        }

        var rc = BinaryPrimitives.ReadUInt32BigEndian(response.AsSpan(6));
        if (rc != 0)
        {
            throw new IOException($"TPM2_PCR_Extend of PCR{pcr} failed: TPM response code 0x{rc:x8}");
        }
    }
}
