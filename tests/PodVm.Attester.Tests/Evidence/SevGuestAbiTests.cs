using System.Buffers.Binary;
using PodVm.Attester.Evidence;

namespace PodVm.Attester.Tests.Evidence;

public sealed class SevGuestAbiTests
{
    [Fact]
    public void SnpGetReport_IsIowrS0WithThe32ByteIoctlStruct() =>
        Assert.Equal(0xC0205300u, SevGuestAbi.SnpGetReport);

    [Fact]
    public void WriteReportRequest_LaysOutUserDataVmplAndZeroReserved()
    {
        var userData = Enumerable.Range(1, 64).Select(i => (byte)i).ToArray();
        var buffer = Enumerable.Repeat((byte)0xEE, 100).ToArray();

        SevGuestAbi.WriteReportRequest(buffer, userData, vmpl: 2);

        Assert.Equal(96, SevGuestAbi.ReportRequestSize);
        Assert.Equal(userData, buffer[..64]);
        Assert.Equal(new byte[] { 2, 0, 0, 0 }, buffer[64..68]);
        Assert.All(buffer[68..96], b => Assert.Equal(0, b));
        Assert.All(buffer[96..], b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void WriteReportRequest_WrongSizes_Throw()
    {
        Assert.Throws<ArgumentException>(() => SevGuestAbi.WriteReportRequest(new byte[96], new byte[63], 0));
        Assert.Throws<ArgumentException>(() => SevGuestAbi.WriteReportRequest(new byte[95], new byte[64], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SevGuestAbi.WriteReportRequest(new byte[96], new byte[64], 4));
    }

    [Fact]
    public void WriteGuestRequest_MsgVersionPaddingAddressesAndExitInfo()
    {
        var buffer = Enumerable.Repeat((byte)0xEE, 32).ToArray();

        SevGuestAbi.WriteGuestRequest(buffer, 0x1122334455667788, 0x99AABBCCDDEEFF00);

        Assert.Equal(1, buffer[0]);
        Assert.All(buffer[1..8], b => Assert.Equal(0, b));
        Assert.Equal(0x1122334455667788ul, BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(8)));
        Assert.Equal(0x99AABBCCDDEEFF00ul, BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(16)));
        Assert.All(buffer[24..32], b => Assert.Equal(0, b));
    }

    [Fact]
    public void ReadErrors_SplitsExitInfo2IntoFwAndVmmErrors()
    {
        var buffer = new byte[32];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(24), 0x16);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(28), 2);

        Assert.Equal((0x16u, 2u), SevGuestAbi.ReadErrors(buffer));
    }

    [Fact]
    public void ReadReport_RealReportInMsgReportRsp_ReturnsIt()
    {
        var report = TestVectors.Bytes("trustee-snp/test-report.bin");
        var response = MsgReportRsp(0, (uint)report.Length, report);

        Assert.Equal(report, SevGuestAbi.ReadReport(response));
    }

    [Fact]
    public void ReadReport_FirmwareStatus_IsRefused()
    {
        var ex = Assert.Throws<EvidenceException>(() => SevGuestAbi.ReadReport(MsgReportRsp(0x16, 1184, new byte[1184])));
        Assert.Equal(EvidenceErrorReason.Refused, ex.Reason);
    }

    [Theory]
    [InlineData(100u)]
    [InlineData(4000u)]
    public void ReadReport_BadReportSize_IsMalformed(uint size)
    {
        var ex = Assert.Throws<EvidenceException>(() => SevGuestAbi.ReadReport(MsgReportRsp(0, size, new byte[1184])));
        Assert.Equal(EvidenceErrorReason.Malformed, ex.Reason);
    }

    [Fact]
    public void ReadReport_Truncated_IsMalformed() =>
        Assert.Equal(EvidenceErrorReason.Malformed, Assert.Throws<EvidenceException>(() => SevGuestAbi.ReadReport(new byte[16])).Reason);

    private static byte[] MsgReportRsp(uint status, uint size, byte[] report)
    {
        var response = new byte[SevGuestAbi.ReportResponseSize];
        BinaryPrimitives.WriteUInt32LittleEndian(response, status);
        BinaryPrimitives.WriteUInt32LittleEndian(response.AsSpan(4), size);
        report.CopyTo(response, 32);
        return response;
    }
}
