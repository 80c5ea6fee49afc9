using PodVm.Attester.Evidence;

namespace PodVm.Attester.Tests.Evidence;

public sealed class TsmReportClientTests
{
    [Fact]
    public void GetReport_FakeKernel_WritesInblobReadsBlobsAndRemovesTheEntry()
    {
        using var dir = new TempDirectory();
        var kernel = new FakeTsmKernel("sev_guest", [1, 2, 3], [4, 5]);
        var client = new TsmReportClient(dir.Path, kernel);
        var inBlob = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();

        var report = client.GetReport(inBlob, privLevel: 1);

        Assert.Equal("sev_guest", report.Provider);
        Assert.Equal(new byte[] { 1, 2, 3 }, report.OutBlob);
        Assert.Equal(new byte[] { 4, 5 }, report.AuxBlob);
        Assert.Equal(inBlob, kernel.LastInBlob);
        Assert.Equal("1", kernel.LastPrivLevel);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void GetReport_ConcurrentWriterOnce_RetriesWithANewEntry()
    {
        using var dir = new TempDirectory();
        var kernel = new FakeTsmKernel("tdx_guest", [9]) { ConcurrentWritesOnRead = 1 };

        var report = new TsmReportClient(dir.Path, kernel).GetReport(new byte[64], null);

        Assert.Equal(new byte[] { 9 }, report.OutBlob);
        Assert.Null(report.AuxBlob);
        Assert.Equal(2, kernel.EntriesCreated);
    }

    [Fact]
    public void GetReport_ConcurrentWriterAlways_FailsAfterRetries()
    {
        using var dir = new TempDirectory();
        var kernel = new FakeTsmKernel("tdx_guest", [9]) { ConcurrentWritesOnRead = 100 };

        var ex = Assert.Throws<EvidenceException>(() => new TsmReportClient(dir.Path, kernel).GetReport(new byte[64], null));

        Assert.Contains("generation", ex.Message);
        Assert.Equal(TsmReportClient.MaxAttempts, kernel.EntriesCreated);
    }

    [Fact]
    public void GetReport_EmptyOutblob_IsRefused()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<EvidenceException>(() => new TsmReportClient(dir.Path, new FakeTsmKernel("sev_guest", [])).GetReport(new byte[64], null));
        Assert.Equal(EvidenceErrorReason.Refused, ex.Reason);
    }

    [Fact]
    public void GetReport_NoConfigFs_IsUnavailable()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<EvidenceException>(() => new TsmReportClient(dir.Combine("missing"), new FakeTsmKernel("sev_guest", [1])).GetReport(new byte[64], null));
        Assert.Equal(EvidenceErrorReason.Unavailable, ex.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void GetReport_InblobSize_IsChecked(int size)
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentException>(() => new TsmReportClient(dir.Path, new FakeTsmKernel("sev_guest", [1])).GetReport(new byte[size], null));
    }

    [Fact]
    public void ProbeProvider_FakeKernel_ReadsProviderAndCleansUp()
    {
        using var dir = new TempDirectory();

        Assert.Equal("tdx_guest", new TsmReportClient(dir.Path, new FakeTsmKernel("tdx_guest", [1])).ProbeProvider());
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        Assert.Null(new TsmReportClient(dir.Combine("missing"), new FakeTsmKernel("tdx_guest", [1])).ProbeProvider());
    }
}
