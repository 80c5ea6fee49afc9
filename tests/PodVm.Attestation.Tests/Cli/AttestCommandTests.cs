using System.CommandLine;
using System.Text.Json.Nodes;
using PodVm.Attestation.Tests.Verifiers;
using PodVm.Cli.Commands;

namespace PodVm.Attestation.Tests.Cli;

/// <summary>Runs <c>podvm attest</c> in-process (the command source is compiled into this test project).</summary>
public sealed class AttestCommandTests
{
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { AttestCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await root.Parse(["attest", .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).DefaultTimeout();
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Verify_SnpReportWithVcek_PrintsClaimsAndExitsZero()
    {
        var (exit, output, error) = await RunAsync("verify", "--tee", "snp", "--evidence", Vectors.Path("trustee-snp/test-report.bin"), "--vcek", Vectors.Path("trustee-snp/test-vcek.der"), "--at", "2025-06-01T00:00:00Z",
            "--report-data", "ec6c52d7533cc2c4f45be7849cf112ab82b2009fe7bd43e71ed08c14400ad7e2");

        Assert.True(exit == 0, error);
        var claims = JsonNode.Parse(output)!;
        Assert.Equal("a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c", (string?)claims["measurement"]);
        Assert.Equal(115, (int?)claims["reported_tcb"]!["microcode"]);
        Assert.False((bool?)claims["policy"]!["debug_allowed"]);
    }

    [Fact]
    public async Task Verify_SnpHexWithPemChain_ExitsZero()
    {
        var (exit, _, error) = await RunAsync("verify", "--tee", "snp", "--evidence", Vectors.Path("virtee-sev/report_milan.hex"), "--vcek", Vectors.Path("virtee-sev/vcek_milan.der"), "--ca-chain", Vectors.Path("virtee-sev/cert_chain_milan.pem"), "--at", "2025-06-01T00:00:00Z");

        Assert.True(exit == 0, error);
    }

    [Fact]
    public async Task Verify_SnpWrongReportData_ExitsOneWithReason()
    {
        var (exit, output, error) = await RunAsync("verify", "--tee", "snp", "--evidence", Vectors.Path("trustee-snp/test-report.bin"), "--vcek", Vectors.Path("trustee-snp/test-vcek.der"), "--at", "2025-06-01T00:00:00Z", "--report-data", "00");

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("ReportDataMismatch", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_SnpExpiredAt_ExitsOneWithCertificateExpired()
    {
        var (exit, _, error) = await RunAsync("verify", "--tee", "snp", "--evidence", Vectors.Path("trustee-snp/e2e-genoa-evidence.json"), "--at", "2049-01-01T00:00:00Z");

        Assert.Equal(1, exit);
        Assert.Contains("CertificateExpired", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TdxQuote_PrintsTdxClaims()
    {
        var (exit, output, error) = await RunAsync("verify", "--tee", "tdx", "--evidence", Vectors.Path("trustee-tdx/tdx_quote_4.dat"), "--at", "2026-06-01T00:00:00Z");

        Assert.True(exit == 0, error);
        var claims = JsonNode.Parse(output)!;
        Assert.StartsWith("705ee938", (string?)claims["mr_td"], StringComparison.Ordinal);
        Assert.StartsWith("e940da7c", (string?)claims["rtmr0"], StringComparison.Ordinal);
        Assert.Equal("NotEvaluated", (string?)claims["tcb_status"]);
    }

    [Fact]
    public async Task Verify_TdxWithCollateralDirectory_ChecksCrls()
    {
        var (exit, _, error) = await RunAsync("verify", "--tee", "tdx", "--evidence", Vectors.Path("trustee-tdx/tdx_quote_4.dat"), "--collateral", Path.GetDirectoryName(Vectors.Path("intel-collateral/pckcrl"))!, "--at", "2026-06-01T00:00:00Z");

        Assert.Equal(1, exit);
        Assert.Contains("CertificateExpired", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TpmWithNonce_PrintsPcrsAndNonce()
    {
        var (exit, output, error) = await RunAsync("verify", "--tee", "tpm", "--evidence", Vectors.Path("trustee-tpm/tpm_evidence.json"), "--nonce", "a04182b506878d4f29b91ee606a71a0d3361ccf1b22db20c98adcaa537bea393ef0e41a18b3569ab678f1497fbc5c120");

        Assert.True(exit == 0, error);
        var claims = JsonNode.Parse(output)!;
        Assert.NotNull(claims["pcrs"]!["sha256"]!["0"]);
        Assert.StartsWith("a04182b5", (string?)claims["nonce"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("az-snp-vtpm", "trustee-az-snp-vtpm/evidence-v2.json", "2025-06-01T00:00:00Z")]
    [InlineData("az-tdx-vtpm", "trustee-az-tdx-vtpm/evidence-v1.json", "2026-06-01T00:00:00Z")]
    public async Task Verify_AzureVtpm_ExitsZero(string tee, string path, string at)
    {
        var (exit, output, error) = await RunAsync("verify", "--tee", tee, "--evidence", Vectors.Path(path), "--at", at);

        Assert.True(exit == 0, error);
        Assert.NotNull(JsonNode.Parse(output)!["tpm"]);
    }

    [Theory]
    [InlineData("verify", "--tee", "sgx", "--evidence", "x")]
    [InlineData("verify", "--tee", "snp")]
    [InlineData("verify", "--tee", "snp", "--evidence", "/nonexistent/report.bin")]
    [InlineData("verify", "--tee", "tpm", "--evidence", "EVIDENCE", "--nonce", "zz")]
    [InlineData("verify", "--tee", "tpm", "--evidence", "EVIDENCE", "--at", "yesterday")]
    [InlineData("verify", "--tee", "tpm", "--evidence", "EVIDENCE", "--vcek", "EVIDENCE")]
    [InlineData("verify", "--tee", "tpm", "--evidence", "EVIDENCE", "--bogus")]
    [InlineData("eventlog", "/nonexistent/log")]
    public async Task Verify_UsageErrors_ExitTwo(params string[] args)
    {
        var evidence = Vectors.Path("trustee-tpm/tpm_evidence.json");

        var (exit, _, error) = await RunAsync([.. args.Select(a => a == "EVIDENCE" ? evidence : a)]);

        Assert.Equal(2, exit);
        Assert.Contains("usage error", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventLog_Ccel_PrintsSha384Registers()
    {
        var (exit, output, error) = await RunAsync("eventlog", Vectors.Path("trustee-tdx/CCEL_data"));

        Assert.True(exit == 0, error);
        var json = JsonNode.Parse(output)!;
        Assert.True((int?)json["events"] > 0);
        Assert.NotNull(json["banks"]!["sha384"]);
    }

    [Fact]
    public async Task EventLog_Garbage_ExitsOne()
    {
        var path = Path.Combine(Path.GetTempPath(), $"podvm-eventlog-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33]);
        try
        {
            var (exit, _, error) = await RunAsync("eventlog", path);

            Assert.Equal(1, exit);
            Assert.Contains("MalformedEvidence", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
