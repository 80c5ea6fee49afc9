using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.Tpm;
using PodVm.Attester.Tpm;

namespace PodVm.Attester.Tests.Tpm;

/// <summary>
/// Our TPM client against Debian's swtpm: the AK, PCR8 binding and quote it produces are verified by PodVm's own TPM
/// verifier and, independently, by tpm2-tools' tpm2_checkquote.
/// </summary>
public sealed class TpmSwtpmInteropTests
{
    private static readonly byte[] InitDataDigest = SHA384.HashData("version = \"0.1.0\"\nalgorithm = \"sha384\"\n"u8);

    [Fact]
    public async Task StartAsync_FreshTpm_ExtendsPcr8ToInitDataBinding()
    {
        await using var swtpm = await SwtpmServer.StartAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        var ct = TestContext.Current.CancellationToken;

        var vtpm = await VtpmAttester.StartAsync(await swtpm.ConnectAsync(ct), InitDataDigest, ct).DefaultTimeout();
        vtpm.Dispose(); // swtpm serves one connection at a time
        using var reader = await swtpm.ConnectAsync(ct);
        var pcr8 = (await new TpmClient(reader).PcrReadSha256Async([8], ct).DefaultTimeout())[8];

        Assert.Equal(TpmPcr8Binding.Extended, vtpm.Binding);
        Assert.Equal(Convert.ToHexStringLower(VtpmAttester.ExpectedPcr8(InitDataDigest)), Convert.ToHexStringLower(pcr8));
    }

    [Fact]
    public async Task StartAsync_SecondStartSameBoot_DoesNotExtendAgain()
    {
        await using var swtpm = await SwtpmServer.StartAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        var ct = TestContext.Current.CancellationToken;
        var transport = await swtpm.ConnectAsync(ct);
        using (var first = await VtpmAttester.StartAsync(transport, InitDataDigest, ct).DefaultTimeout())
        {
            await new TpmClient(transport).FlushContextAsync(first.AkHandle, ct).DefaultTimeout();
        }

        using var second = await VtpmAttester.StartAsync(await swtpm.ConnectAsync(ct), InitDataDigest, ct).DefaultTimeout();

        Assert.Equal(TpmPcr8Binding.AlreadyBound, second.Binding);
    }

    [Fact]
    public async Task StartAsync_Pcr8AlreadyExtendedWithOtherValue_ReportsForeign()
    {
        await using var swtpm = await SwtpmServer.StartAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        var ct = TestContext.Current.CancellationToken;
        using (var other = await swtpm.ConnectAsync(ct))
        {
            await new TpmClient(other).PcrExtendSha256Async(8, new byte[32], ct).DefaultTimeout();
        }

        using var vtpm = await VtpmAttester.StartAsync(await swtpm.ConnectAsync(ct), InitDataDigest, ct).DefaultTimeout();

        Assert.Equal(TpmPcr8Binding.Foreign, vtpm.Binding);
    }

    [Fact]
    public async Task CreatePrimaryAk_SameTpmTwice_SameKey()
    {
        await using var swtpm = await SwtpmServer.StartAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        var ct = TestContext.Current.CancellationToken;
        using var transport = await swtpm.ConnectAsync(ct);
        var client = new TpmClient(transport);

        var first = await client.CreatePrimaryAkAsync(ct).DefaultTimeout();
        await client.FlushContextAsync(first.Handle, ct).DefaultTimeout();
        var second = await client.CreatePrimaryAkAsync(ct).DefaultTimeout();
        await client.FlushContextAsync(second.Handle, ct).DefaultTimeout();

        Assert.Equal(first.SubjectPublicKeyInfo, second.SubjectPublicKeyInfo);
        Assert.Equal(34, first.Name.Length); // nameAlg + SHA-256
    }

    [Fact]
    public async Task QuoteAsync_ReportData_VerifiedByPodVmTpmVerifier()
    {
        await using var swtpm = await SwtpmServer.StartAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        var ct = TestContext.Current.CancellationToken;
        using var vtpm = await VtpmAttester.StartAsync(await swtpm.ConnectAsync(ct), InitDataDigest, ct).DefaultTimeout();
        var reportData = RandomNumberGenerator.GetBytes(64);

        var evidence = await vtpm.QuoteAsync(reportData, ct).DefaultTimeout();
        var verifier = EvidenceVerifiers.CreateTpm(new TpmVerifierOptions(), TimeProvider.System);
        var result = await verifier.VerifyAsync(
            new EvidenceToVerify
            {
                Evidence = JsonSerializer.SerializeToUtf8Bytes(evidence, AttesterJsonContext.Default.TpmEvidence),
                ExpectedReportData = reportData,
                ExpectedInitDataDigest = InitDataDigest,
            },
            ct).DefaultTimeout();

        Assert.True(result.IsVerified, result.Failure?.ToString());
        Assert.Equal(Convert.ToHexStringLower(reportData), result.Claims!["nonce"]!.GetValue<string>());
        Assert.Equal("ecdsa", result.Claims["signature_scheme"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(VtpmAttester.ExpectedPcr8(InitDataDigest)), result.Claims["pcrs"]!["sha256"]!["8"]!.GetValue<string>());
    }

    [Fact]
    public async Task QuoteAsync_OtherReportDataExpected_RejectedByPodVmTpmVerifier()
    {
        await using var swtpm = await SwtpmServer.StartAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        var ct = TestContext.Current.CancellationToken;
        using var vtpm = await VtpmAttester.StartAsync(await swtpm.ConnectAsync(ct), InitDataDigest, ct).DefaultTimeout();

        var evidence = await vtpm.QuoteAsync(RandomNumberGenerator.GetBytes(64), ct).DefaultTimeout();
        var result = await EvidenceVerifiers.CreateTpm(new TpmVerifierOptions(), TimeProvider.System).VerifyAsync(
            new EvidenceToVerify
            {
                Evidence = JsonSerializer.SerializeToUtf8Bytes(evidence, AttesterJsonContext.Default.TpmEvidence),
                ExpectedReportData = RandomNumberGenerator.GetBytes(64),
            },
            ct).DefaultTimeout();

        Assert.Equal(VerificationFailureReason.ReportDataMismatch, result.Failure?.Reason);
    }

    [Fact]
    public async Task QuoteAsync_ReportData_VerifiedByTpm2Checkquote()
    {
        Requires.Tool("tpm2_checkquote", "tpm2-tools");
        await using var swtpm = await SwtpmServer.StartAsync(TestContext.Current.CancellationToken).DefaultTimeout();
        var ct = TestContext.Current.CancellationToken;
        using var vtpm = await VtpmAttester.StartAsync(await swtpm.ConnectAsync(ct), InitDataDigest, ct).DefaultTimeout();
        var reportData = RandomNumberGenerator.GetBytes(64);
        var evidence = await vtpm.QuoteAsync(reportData, ct).DefaultTimeout();
        using var files = new TempDirectory();
        var pem = PemEncoding.WriteString("PUBLIC KEY", vtpm.AkSubjectPublicKeyInfo);
        await File.WriteAllTextAsync(files.Combine("ak.pem"), pem + "\n", ct);
        await File.WriteAllBytesAsync(files.Combine("quote.msg"), Convert.FromBase64String(evidence.Quote.Message), ct);
        await File.WriteAllBytesAsync(files.Combine("quote.sig"), Convert.FromBase64String(evidence.Quote.Signature), ct);
        await File.WriteAllBytesAsync(files.Combine("pcrs.bin"), Tpm2ToolsPcrFile([.. evidence.Quote.Pcrs.Select(Convert.FromHexString)]), ct);

        var (exit, output) = await RunAsync("tpm2_checkquote", ct,
            "-u", files.Combine("ak.pem"), "-g", "sha256", "-m", files.Combine("quote.msg"), "-s", files.Combine("quote.sig"),
            "-f", files.Combine("pcrs.bin"), "-q", Convert.ToHexStringLower(reportData));
        var (wrongExit, _) = await RunAsync("tpm2_checkquote", ct,
            "-u", files.Combine("ak.pem"), "-g", "sha256", "-m", files.Combine("quote.msg"), "-s", files.Combine("quote.sig"),
            "-q", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(64)));

        Assert.True(exit == 0, output);
        Assert.NotEqual(0, wrongExit);
    }

    /// <summary>
    /// tpm2-tools' serialized PCR file (what tpm2_quote -o writes; its values-only form with -l fails in 5.4):
    /// host-endian TPML_PCR_SELECTION (u32 count, 16 × {u16 alg, u8 size, u8[4] bitmap, pad}), u32 number of
    /// TPML_DIGESTs, each u32 count then 8 × {u16 size, u8[64]}.
    /// </summary>
    private static byte[] Tpm2ToolsPcrFile(IReadOnlyList<byte[]> sha256Pcrs)
    {
        var file = new List<byte>();
        file.AddRange(BitConverter.GetBytes(1u));
        var bitmap = new byte[4];
        for (var i = 0; i < sha256Pcrs.Count; i++)
        {
            bitmap[i / 8] |= (byte)(1 << (i % 8));
        }

        file.AddRange(BitConverter.GetBytes((ushort)0x000B));
        file.Add(3);
        file.AddRange(bitmap);
        file.Add(0);
        file.AddRange(new byte[15 * 8]);
        var lists = sha256Pcrs.Chunk(8).ToList();
        file.AddRange(BitConverter.GetBytes((uint)lists.Count));
        foreach (var list in lists)
        {
            file.AddRange(BitConverter.GetBytes((uint)list.Length));
            for (var i = 0; i < 8; i++)
            {
                var value = i < list.Length ? list[i] : [];
                file.AddRange(BitConverter.GetBytes((ushort)value.Length));
                var buffer = new byte[64];
                value.CopyTo(buffer, 0);
                file.AddRange(buffer);
            }
        }

        return [.. file];
    }

    private static async Task<(int Exit, string Output)> RunAsync(string tool, CancellationToken cancellationToken, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).DefaultTimeout();
        var output = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        return (process.ExitCode, output);
    }
}
