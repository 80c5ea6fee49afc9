using System.Text;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Sample;

namespace PodVm.Attestation.Tests.Verifiers.Sample;

public sealed class SampleVerifierTests
{
    private static readonly byte[] Digest = Enumerable.Range(1, 48).Select(i => (byte)i).ToArray();

    private static byte[] Evidence(byte[] reportData) => Encoding.UTF8.GetBytes($"{{\"svn\":\"1\",\"report_data\":\"{Convert.ToBase64String(reportData)}\"}}");

    private static async Task<VerificationResult> VerifyAsync(bool enabled, byte[] evidence, byte[]? expected = null) =>
        await EvidenceVerifiers.CreateSample(new SampleVerifierOptions { Enabled = enabled })
            .VerifyAsync(new EvidenceToVerify { Evidence = evidence, ExpectedReportData = expected }, CancellationToken.None).AsTask().DefaultTimeout();

    [Fact]
    public async Task VerifyAsync_Disabled_RejectedTeeDisabled()
    {
        var result = await VerifyAsync(false, Evidence(Digest), Digest);

        Assert.Equal(VerificationFailureReason.TeeDisabled, result.Failure?.Reason);
    }

    [Fact]
    public async Task VerifyAsync_EnabledMatchingDigest_VerifiedAndMarkedSample()
    {
        var result = await VerifyAsync(true, Evidence(Digest), [.. Digest, .. new byte[16]]);

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.True((bool?)result.Claims["sample"]);
        Assert.Equal(Convert.ToHexStringLower(Digest), (string?)result.Claims["report_data"]);
    }

    [Fact]
    public async Task VerifyAsync_EnabledWrongDigest_RejectedReportDataMismatch()
    {
        var result = await VerifyAsync(true, Evidence(Digest), new byte[48]);

        Assert.Equal(VerificationFailureReason.ReportDataMismatch, result.Failure?.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"svn\":1}")]
    [InlineData("{\"svn\":\"1\",\"report_data\":\"***\"}")]
    public async Task VerifyAsync_Malformed_RejectedMalformedEvidence(string json)
    {
        var result = await VerifyAsync(true, Encoding.UTF8.GetBytes(json));

        Assert.Equal(VerificationFailureReason.MalformedEvidence, result.Failure?.Reason);
    }
}
