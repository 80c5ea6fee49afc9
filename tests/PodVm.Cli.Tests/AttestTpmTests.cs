using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PodVm.Attestation.Verification;
using PodVm.Attestation.Verifiers;
using PodVm.Attestation.Verifiers.LocalDev;
using PodVm.Cli.Commands;
using PodVm.Cli.Run;
using PodVm.LocalKvmProvider.Image;
using PodVm.LocalKvmProvider.Keys;
using PodVm.PodVmConfig;
using PodVmPaths = PodVm.LocalKvmProvider.PodVmPaths;

namespace PodVm.Cli.Tests;

/// <summary>
/// `podvm run --attest --tpm` with one real pod VM (q35, bzImage, swtpm): the key broker, whose resource policy needs
/// the verified vTPM initdata binding, releases the secret; the container also fetches this VM's evidence from the
/// in-VM endpoint, which the test verifies itself (quote, AK bound by the signed report, PCR8 = the initdata binding)
/// and then tampers with (PCR8 changed → the PCR digest no longer matches the signed quote).
/// </summary>
public sealed class AttestTpmTests(CliFixture fixture)
{
    private const string RuntimeData = "podvm-vtpm-e2e";

    private const string Script =
        "printf 'GET /cdh/resource/default/demo/secret HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 8006; echo; echo EVIDENCE-FOLLOWS; "
        + "printf 'GET /aa/evidence?runtime_data=" + RuntimeData + " HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 8006";

    [Fact]
    public async Task RunAttestTpm_QuoteBindsInitData_SecretReleasedAndTamperedPcr8Refused()
    {
        fixture.RequireImage();
        Requires.Tool("swtpm", "swtpm");
        var cancellationToken = TestContext.Current.CancellationToken;
        using (EcKeyFile.LoadOrCreateP384(PodVmPaths.PlatformKey))
        {
        }

        var platformPublicKey = EcKeyFile.PublicKeyFile(PodVmPaths.PlatformKey);
        var signer = EcKeyFile.PublicKeyFile(ReferenceValueExport.DefaultSigningKeyFile);
        await using var kbs = await DemoKbs.StartAsync(fixture.ImageDirectory, platformPublicKey, signer, cancellationToken, requireTpm: true)
            .WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
        var request = new RunRequest
        {
            Image = "busybox",
            Command = ["sh", "-c", Script],
            ImageDirectory = fixture.ImageDirectory,
            InitData = kbs.InitData,
            StartTimeout = TimeSpan.FromMinutes(4),
            Tpm = true,
        };
        using var stdout = new MemoryStream();
        await using var stdoutWriter = new StreamWriter(stdout) { AutoFlush = true };
        await using var stderr = new StringWriter();

        var exit = await RunCommand.RunWithInProcessAdaptorAsync(request, stdoutWriter, stderr, cancellationToken, developmentTee: true)
            .WaitAsync(TimeSpan.FromMinutes(6), cancellationToken);

        var output = Encoding.UTF8.GetString(stdout.ToArray());
        TestContext.Current.TestOutputHelper?.WriteLine(output + "\n" + stderr);
        Assert.Equal(0, exit);
        var (secretPart, evidencePart) = Split(output);
        Assert.Contains("200", secretPart.Split('\n')[0], StringComparison.Ordinal);
        var secret = secretPart[(secretPart.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..].TrimEnd() + "\n";
        Assert.Equal(Convert.ToHexStringLower(kbs.SecretSha256), Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(secret))));

        var evidence = Body(evidencePart);
        var initDataDigest = InitDataCodec.Decode(kbs.InitData).Digest();
        var expectedPcr8 = Convert.ToHexStringLower(DemoKbs.InitDataPcr8(initDataDigest));
        var verifier = EvidenceVerifiers.CreateLocalDev(
            new LocalDevTeeVerifierOptions { TrustedPlatformKeys = [await File.ReadAllBytesAsync(platformPublicKey, cancellationToken)] },
            TimeProvider.System);
        var reportData = new byte[64];
        Encoding.UTF8.GetBytes(RuntimeData).CopyTo(reportData, 0);

        var verified = await verifier.VerifyAsync(Expect(evidence, reportData, initDataDigest), cancellationToken);
        Assert.True(verified.IsVerified, verified.Failure?.ToString());
        var tpm = verified.Claims!["tpm"]!;
        Assert.Equal(expectedPcr8, (string?)tpm["init_data_pcr8"]);
        Assert.Equal(expectedPcr8, (string?)tpm["pcrs"]!["sha256"]!["8"]);
        Assert.Equal((string?)verified.Claims["tpm_ak_digest"], (string?)tpm["ak_digest"]);
        Assert.Equal(Convert.ToHexStringLower(reportData), (string?)tpm["nonce"]);

        var tampered = JsonNode.Parse(evidence)!;
        tampered["tpm"]!["tpm_quote"]!["pcrs"]![8] = Convert.ToHexStringLower(SHA256.HashData("another initdata"u8));
        var refused = await verifier.VerifyAsync(Expect(Encoding.UTF8.GetBytes(tampered.ToJsonString()), reportData, initDataDigest), cancellationToken);
        Assert.Equal(VerificationFailureReason.MeasurementMismatch, refused.Failure?.Reason);
    }

    private static EvidenceToVerify Expect(byte[] evidence, byte[] reportData, byte[] initDataDigest) => new()
    {
        Evidence = evidence,
        ExpectedReportData = reportData,
        ExpectedInitDataDigest = initDataDigest,
    };

    private static (string Secret, string Evidence) Split(string output)
    {
        var at = output.IndexOf("EVIDENCE-FOLLOWS", StringComparison.Ordinal);
        Assert.True(at >= 0, $"the container printed no evidence:\n{output}");
        return (output[..at], output[(at + "EVIDENCE-FOLLOWS".Length)..]);
    }

    /// <summary>The body of a raw HTTP/1.0 response.</summary>
    private static byte[] Body(string response)
    {
        var status = response.TrimStart().Split('\n')[0];
        Assert.True(status.Contains("200", StringComparison.Ordinal), $"the evidence request failed:\n{response}");
        var at = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(at >= 0, $"no HTTP body:\n{response}");
        return Encoding.UTF8.GetBytes(response[(at + 4)..].Trim());
    }
}
