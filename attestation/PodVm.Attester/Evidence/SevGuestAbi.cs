using System.Buffers.Binary;

namespace PodVm.Attester.Evidence;

/// <summary>
/// The /dev/sev-guest ioctl ABI (include/uapi/linux/sev-guest.h) as bytes:
/// <code>
/// struct snp_report_req  { u8 user_data[64]; u32 vmpl; u8 rsvd[28]; }                 // 96 bytes
/// struct snp_report_resp { u8 data[4000]; }                                            // holds snp_msg_report_rsp
/// struct snp_msg_report_rsp { u32 status; u32 report_size; u8 rsvd[24]; u8 report[]; } // (SNP firmware ABI)
/// struct snp_guest_request_ioctl { u8 msg_version; /* 7 bytes padding */ u64 req_data; u64 resp_data;
///                                  union { u64 exitinfo2; struct { u32 fw_error; u32 vmm_error; }; }; } // 32 bytes
/// SNP_GET_REPORT = _IOWR('S', 0x0, struct snp_guest_request_ioctl)
/// </code>
/// All fields are little-endian (x86-64).
/// </summary>
internal static class SevGuestAbi
{
    public const int ReportRequestSize = 96;
    public const int ReportResponseSize = 4000;
    public const int GuestRequestSize = 32;
    public const int ReportOffset = 32;
    public const int SnpReportSize = 1184;
    public const byte MessageVersion = 1;

    /// <summary>_IOWR('S', 0x0, struct snp_guest_request_ioctl) = 0xC0205300.</summary>
    public static readonly uint SnpGetReport = IoWr((byte)'S', 0x0, GuestRequestSize);

    /// <summary>Linux _IOC(_IOC_READ|_IOC_WRITE, type, nr, size) on x86: dir &lt;&lt; 30 | size &lt;&lt; 16 | type &lt;&lt; 8 | nr.</summary>
    public static uint IoWr(byte type, byte number, int size) => (3u << 30) | ((uint)size << 16) | ((uint)type << 8) | number;

    public static void WriteReportRequest(Span<byte> destination, ReadOnlySpan<byte> userData, uint vmpl)
    {
        if (destination.Length < ReportRequestSize)
        {
            throw new ArgumentException($"snp_report_req needs {ReportRequestSize} bytes", nameof(destination));
        }

        if (userData.Length != 64)
        {
            throw new ArgumentException("user_data must be exactly 64 bytes", nameof(userData));
        }

        if (vmpl > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(vmpl), vmpl, "VMPL is 0 to 3");
        }

        destination[..ReportRequestSize].Clear();
        userData.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[64..], vmpl);
    }

    public static void WriteGuestRequest(Span<byte> destination, ulong requestAddress, ulong responseAddress)
    {
        if (destination.Length < GuestRequestSize)
        {
            throw new ArgumentException($"snp_guest_request_ioctl needs {GuestRequestSize} bytes", nameof(destination));
        }

        destination[..GuestRequestSize].Clear();
        destination[0] = MessageVersion;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], requestAddress);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], responseAddress);
    }

    /// <summary>fw_error and vmm_error from the exitinfo2 union after the ioctl.</summary>
    public static (uint FirmwareError, uint VmmError) ReadErrors(ReadOnlySpan<byte> guestRequest) =>
        (BinaryPrimitives.ReadUInt32LittleEndian(guestRequest[24..]), BinaryPrimitives.ReadUInt32LittleEndian(guestRequest[28..]));

    /// <summary>The attestation report inside snp_report_resp (status must be 0, report_size at least 1184).</summary>
    public static byte[] ReadReport(ReadOnlySpan<byte> response)
    {
        if (response.Length < ReportOffset)
        {
            throw new EvidenceException(EvidenceErrorReason.Malformed, "snp_report_resp is truncated");
        }

        var status = BinaryPrimitives.ReadUInt32LittleEndian(response);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(response[4..]);
        if (status != 0)
        {
            throw new EvidenceException(EvidenceErrorReason.Refused, $"SNP firmware answered MSG_REPORT_RSP status 0x{status:x} (1 = invalid parameters, 0x16 = invalid key selection)");
        }

        if (size < SnpReportSize || size > response.Length - ReportOffset)
        {
            throw new EvidenceException(EvidenceErrorReason.Malformed, $"SNP report_size {size} is outside {SnpReportSize}..{response.Length - ReportOffset}");
        }

        return response.Slice(ReportOffset, SnpReportSize).ToArray();
    }
}
