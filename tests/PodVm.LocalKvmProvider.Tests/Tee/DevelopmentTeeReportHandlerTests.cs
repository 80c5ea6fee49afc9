using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.LocalDev;
using PodVm.LocalKvmProvider.Tee;
using PodVm.LocalKvmProvider.Vms;

namespace PodVm.LocalKvmProvider.Tests.Tee;

public sealed class DevelopmentTeeReportHandlerTests : IDisposable
{
    private static readonly byte[] Measurement = SHA384.HashData("kernel+initrd+cmdline"u8);
    private static readonly byte[] InitDataDigest = SHA384.HashData("initdata"u8);
    private readonly ECDsa _platformKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly Dictionary<string, VmState> _states = new(StringComparer.Ordinal);

    public void Dispose() => _platformKey.Dispose();

    [Fact]
    public async Task HandleAsync_ValidRequest_ReportVerifiesWithPlatformKeyAndBindsMeasurementHostDataAndReportData()
    {
        _states["vm-1"] = State("vm-1", Convert.ToHexStringLower(Measurement), Convert.ToHexStringLower(InitDataDigest.AsSpan(0, 32)));
        var reportData = RandomNumberGenerator.GetBytes(64);

        var reply = await Handle("vm-1", $$"""{"type":"tee-report","id":"r1","report_data":"{{Convert.ToBase64String(reportData)}}"}""");

        Assert.Equal("tee-report", reply.GetProperty("type").GetString());
        Assert.Equal("r1", reply.GetProperty("id").GetString());
        var evidence = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["report"] = reply.GetProperty("report").GetString()! });
        var verifier = EvidenceVerifiers.CreateLocalDev(new LocalDevTeeVerifierOptions { TrustedPlatformKeys = [_platformKey.ExportSubjectPublicKeyInfo()] }, _time);
        var result = await verifier.VerifyAsync(new EvidenceToVerify { Evidence = evidence, ExpectedReportData = reportData, ExpectedInitDataDigest = InitDataDigest }, CancellationToken.None);

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.Equal(Convert.ToHexStringLower(Measurement), result.Claims!["measurement"]!.GetValue<string>());
        Assert.True(result.Claims["development_tee"]!.GetValue<bool>());
    }

    [Fact]
    public async Task HandleAsync_OtherInitData_VerifierReportsInitDataMismatch()
    {
        _states["vm-1"] = State("vm-1", Convert.ToHexStringLower(Measurement), Convert.ToHexStringLower(InitDataDigest.AsSpan(0, 32)));
        var reportData = new byte[64];

        var reply = await Handle("vm-1", $$"""{"type":"tee-report","id":"r1","report_data":"{{Convert.ToBase64String(reportData)}}"}""");

        var evidence = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["report"] = reply.GetProperty("report").GetString()! });
        var verifier = EvidenceVerifiers.CreateLocalDev(new LocalDevTeeVerifierOptions { TrustedPlatformKeys = [_platformKey.ExportSubjectPublicKeyInfo()] }, _time);
        var result = await verifier.VerifyAsync(new EvidenceToVerify { Evidence = evidence, ExpectedReportData = reportData, ExpectedInitDataDigest = SHA384.HashData("other initdata"u8) }, CancellationToken.None);

        Assert.Equal(VerificationFailureReason.InitDataMismatch, result.Failure?.Reason);
    }

    [Theory]
    [InlineData("vm-unknown", """{"type":"tee-report","id":"x","report_data":"AAAA"}""", "not known")]
    [InlineData("vm-plain", """{"type":"tee-report","id":"x","report_data":"AAAA"}""", "without the development TEE")]
    [InlineData("vm-1", """{"type":"tee-report","id":"x"}""", "report_data is missing")]
    [InlineData("vm-1", """{"type":"tee-report","id":"x","report_data":"AAAA"}""", "must be 64 bytes")]
    [InlineData("vm-1", """{"type":"tee-report","id":"x","report_data":"not base64!"}""", "base64")]
    [InlineData("vm-1", """{"type":"tee-report","id":"x","report_data":17}""", "base64")]
    public async Task HandleAsync_BadRequest_ErrorReplyWithSameIdAndNoReport(string instance, string request, string expected)
    {
        _states["vm-1"] = State("vm-1", Convert.ToHexStringLower(Measurement), string.Empty);
        _states["vm-plain"] = State("vm-plain", string.Empty, string.Empty);

        var reply = await Handle(instance, request);

        Assert.Equal("x", reply.GetProperty("id").GetString());
        Assert.Contains(expected, reply.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(reply.TryGetProperty("report", out _));
    }

    private async Task<JsonElement> Handle(string instance, string json)
    {
        var handler = new DevelopmentTeeReportHandler(_platformKey, id => _states.GetValueOrDefault(id), _time, NullLogger.Instance);
        using var message = JsonDocument.Parse(json);
        var answer = await handler.HandleAsync(instance, message.RootElement, CancellationToken.None);
        return JsonDocument.Parse(answer!).RootElement.Clone();
    }

    private VmState State(string id, string measurement, string hostData) => new()
    {
        Id = id,
        Name = id,
        IdempotencyKey = id,
        Tags = new Dictionary<string, string>(),
        InstanceTypeName = "local.small",
        VCpus = 1,
        MemoryMiB = 256,
        ImageDirectory = "/img",
        Kernel = "/img/vmlinux",
        Initrd = "/img/initrd.img",
        CommandLine = "console=ttyS0",
        LaunchDigest = measurement,
        Measurement = measurement,
        HostData = hostData,
        Accelerator = "TCG",
        HostForwardPort = 1,
        CreatedAt = _time.GetUtcNow(),
    };
}
