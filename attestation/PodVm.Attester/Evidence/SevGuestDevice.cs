using System.Runtime.InteropServices;
using PodVm.Attester.Native;

namespace PodVm.Attester.Evidence;

/// <summary>SNP_GET_REPORT through /dev/sev-guest (kernels without configfs-tsm).</summary>
internal sealed class SevGuestDevice(string path)
{
    public string Path => path;

    public bool IsAvailable => File.Exists(path);

    public unsafe byte[] GetReport(ReadOnlySpan<byte> reportData, uint vmpl)
    {
        var fd = Libc.Open(path, Libc.ORdWr | Libc.OCloExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new EvidenceException(errno == BusyRetry.EBusy ? EvidenceErrorReason.Busy : EvidenceErrorReason.Unavailable, $"cannot open {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var request = (byte*)NativeMemory.AlignedAlloc(SevGuestAbi.ReportRequestSize, 64);
        var response = (byte*)NativeMemory.AlignedAlloc(SevGuestAbi.ReportResponseSize, 64);
        var ioctl = (byte*)NativeMemory.AlignedAlloc(SevGuestAbi.GuestRequestSize, 8);
        try
        {
            SevGuestAbi.WriteReportRequest(new Span<byte>(request, SevGuestAbi.ReportRequestSize), reportData, vmpl);
            new Span<byte>(response, SevGuestAbi.ReportResponseSize).Clear();
            var guestRequest = new Span<byte>(ioctl, SevGuestAbi.GuestRequestSize);
            SevGuestAbi.WriteGuestRequest(guestRequest, (ulong)request, (ulong)response);
            int result;
            int error;
            do
            {
                result = Libc.Ioctl(fd, SevGuestAbi.SnpGetReport, ioctl);
                error = result < 0 ? Marshal.GetLastPInvokeError() : 0;
            }
            while (result < 0 && error == Libc.EIntr);

            if (result < 0)
            {
                var (fw, vmm) = SevGuestAbi.ReadErrors(guestRequest);
                throw new EvidenceException(EvidenceErrorReason.Refused, $"SNP_GET_REPORT on {path} failed: {Marshal.GetPInvokeErrorMessage(error)} (fw_error 0x{fw:x}, vmm_error 0x{vmm:x})");
            }

            return SevGuestAbi.ReadReport(new ReadOnlySpan<byte>(response, SevGuestAbi.ReportResponseSize));
        }
        finally
        {
            NativeMemory.AlignedFree(request);
            NativeMemory.AlignedFree(response);
            NativeMemory.AlignedFree(ioctl);
            _ = Libc.Close(fd);
        }
    }
}
