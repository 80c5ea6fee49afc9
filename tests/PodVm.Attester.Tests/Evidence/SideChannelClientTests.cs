using System.Text.Json.Nodes;
using PodVm.Attester.Evidence;

namespace PodVm.Attester.Tests.Evidence;

public sealed class SideChannelClientTests
{
    private static readonly byte[] ReportData = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();

    private static SideChannelClient Client(string path, TimeSpan? timeout = null) =>
        new(new DeviceSideChannelTransport(path, TimeProvider.System), TimeProvider.System) { Timeout = timeout ?? TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task RequestReportAsync_HostAnswers_ReturnsTheReportAndSentTheProtocolLine()
    {
        using var dir = new TempDirectory();
        await using var host = new FakeLocalDevHost(dir.Combine("side.sock"), r => [FakeLocalDevHost.Reply((string)r["id"]!, report: "AQIDBA==")]);

        var report = await Client(host.SocketPath).RequestReportAsync(ReportData, ReadOnlyMemory<byte>.Empty, CancellationToken.None).DefaultTimeout();

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, report);
        var request = Assert.Single(host.Requests);
        Assert.Equal("tee-report", (string?)request["type"]);
        Assert.False(string.IsNullOrEmpty((string?)request["id"]));
        Assert.Equal(ReportData, Convert.FromBase64String((string)request["report_data"]!));
        Assert.False(request.ContainsKey("tpm_ak_spki"));
    }

    [Fact]
    public async Task RequestReportAsync_WithAkSpki_SendsIt()
    {
        using var dir = new TempDirectory();
        await using var host = new FakeLocalDevHost(dir.Combine("side.sock"), r => [FakeLocalDevHost.Reply((string)r["id"]!, report: "AA==")]);

        await Client(host.SocketPath).RequestReportAsync(ReportData, new byte[] { 9, 9 }, CancellationToken.None).DefaultTimeout();

        Assert.Equal("CQk=", (string?)host.Requests[0]["tpm_ak_spki"]);
    }

    [Fact]
    public async Task RequestReportAsync_OtherLinesFirst_SkipsThemUntilItsId()
    {
        using var dir = new TempDirectory();
        await using var host = new FakeLocalDevHost(dir.Combine("side.sock"), r =>
        [
            "not json at all",
            """{"type":"status","step":"ready"}""",
            FakeLocalDevHost.Reply("someone-else", report: "BQY="),
            new JsonObject { ["type"] = "other", ["id"] = (string)r["id"]!, ["report"] = "BQY=" }.ToJsonString(),
            FakeLocalDevHost.Reply((string)r["id"]!, report: "BwgJ"),
        ]);

        var report = await Client(host.SocketPath).RequestReportAsync(ReportData, ReadOnlyMemory<byte>.Empty, CancellationToken.None).DefaultTimeout();

        Assert.Equal(new byte[] { 7, 8, 9 }, report);
    }

    [Fact]
    public async Task RequestReportAsync_ErrorReply_ThrowsRefusedWithTheHostsText()
    {
        using var dir = new TempDirectory();
        await using var host = new FakeLocalDevHost(dir.Combine("side.sock"), r => [FakeLocalDevHost.Reply((string)r["id"]!, error: "platform key missing")]);

        var ex = await Assert.ThrowsAsync<EvidenceException>(() => Client(host.SocketPath).RequestReportAsync(ReportData, ReadOnlyMemory<byte>.Empty, CancellationToken.None)).DefaultTimeout();

        Assert.Equal(EvidenceErrorReason.Refused, ex.Reason);
        Assert.Contains("platform key missing", ex.Message);
    }

    [Fact]
    public async Task RequestReportAsync_NoReply_TimesOut()
    {
        using var dir = new TempDirectory();
        await using var host = new FakeLocalDevHost(dir.Combine("side.sock"), _ => []);

        var ex = await Assert.ThrowsAsync<EvidenceException>(() => Client(host.SocketPath, TimeSpan.FromMilliseconds(300)).RequestReportAsync(ReportData, ReadOnlyMemory<byte>.Empty, CancellationToken.None)).DefaultTimeout();

        Assert.Equal(EvidenceErrorReason.Timeout, ex.Reason);
    }

    [Fact]
    public async Task RequestReportAsync_ReportNotBase64_IsMalformed()
    {
        using var dir = new TempDirectory();
        await using var host = new FakeLocalDevHost(dir.Combine("side.sock"), r => [FakeLocalDevHost.Reply((string)r["id"]!, report: "%%%")]);

        var ex = await Assert.ThrowsAsync<EvidenceException>(() => Client(host.SocketPath).RequestReportAsync(ReportData, ReadOnlyMemory<byte>.Empty, CancellationToken.None)).DefaultTimeout();

        Assert.Equal(EvidenceErrorReason.Malformed, ex.Reason);
    }

    [Fact]
    public async Task RequestReportAsync_OversizedLine_IsMalformed()
    {
        using var dir = new TempDirectory();
        await using var host = new FakeLocalDevHost(dir.Combine("side.sock"), _ => [new string('a', SideChannelClient.MaxLineBytes + 10)]);

        var ex = await Assert.ThrowsAsync<EvidenceException>(() => Client(host.SocketPath).RequestReportAsync(ReportData, ReadOnlyMemory<byte>.Empty, CancellationToken.None)).DefaultTimeout();

        Assert.Equal(EvidenceErrorReason.Malformed, ex.Reason);
    }

    [Fact]
    public async Task RequestReportAsync_ConcurrentCallers_AreSerialised()
    {
        using var dir = new TempDirectory();
        await using var host = new FakeLocalDevHost(dir.Combine("side.sock"), r => [FakeLocalDevHost.Reply((string)r["id"]!, report: "AA==")]);
        var client = Client(host.SocketPath);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.RequestReportAsync(ReportData, ReadOnlyMemory<byte>.Empty, CancellationToken.None))).DefaultTimeout();

        Assert.Equal(8, host.Requests.Count);
        Assert.Equal(8, host.Requests.Select(r => (string?)r["id"]).Distinct().Count());
        Assert.Equal(1, host.MaxConcurrent);
    }

    [Fact]
    public async Task RequestReportAsync_WrongReportDataLength_Throws()
    {
        using var dir = new TempDirectory();
        await Assert.ThrowsAsync<ArgumentException>(() => Client(dir.Combine("x")).RequestReportAsync(new byte[32], ReadOnlyMemory<byte>.Empty, CancellationToken.None)).DefaultTimeout();
    }

    [Fact]
    public async Task OpenAsync_MissingDevice_IsUnavailable()
    {
        using var dir = new TempDirectory();

        var ex = await Assert.ThrowsAsync<EvidenceException>(() => new DeviceSideChannelTransport(dir.Combine("podvm.side"), TimeProvider.System).OpenAsync(CancellationToken.None).AsTask()).DefaultTimeout();

        Assert.Equal(EvidenceErrorReason.Unavailable, ex.Reason);
    }

    [Fact]
    public async Task BusyRetry_EbusyThenFree_OpensOnTheFourthAttempt()
    {
        var attempts = 0;

        var result = await BusyRetry.OpenAsync(
            () => ++attempts < 4 ? throw new IOException("Device or resource busy", BusyRetry.EBusy) : "opened",
            maxAttempts: 50, TimeSpan.FromMilliseconds(1), TimeProvider.System, "podvm.side", CancellationToken.None).AsTask().DefaultTimeout();

        Assert.Equal("opened", result);
        Assert.Equal(4, attempts);
    }

    [Fact]
    public async Task BusyRetry_AlwaysBusy_GivesUpAfterMaxAttempts()
    {
        var attempts = 0;

        var ex = await Assert.ThrowsAsync<EvidenceException>(() => BusyRetry.OpenAsync<string>(
            () => { attempts++; throw new IOException("busy", BusyRetry.EBusy); },
            maxAttempts: 5, TimeSpan.FromMilliseconds(1), TimeProvider.System, "podvm.side", CancellationToken.None).AsTask()).DefaultTimeout();

        Assert.Equal(EvidenceErrorReason.Busy, ex.Reason);
        Assert.Equal(5, attempts);
    }

    [Fact]
    public async Task BusyRetry_OtherIoError_IsNotRetried()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<IOException>(() => BusyRetry.OpenAsync<string>(
            () => { attempts++; throw new IOException("No such device", 19); },
            maxAttempts: 5, TimeSpan.FromMilliseconds(1), TimeProvider.System, "podvm.side", CancellationToken.None).AsTask()).DefaultTimeout();

        Assert.Equal(1, attempts);
    }
}
