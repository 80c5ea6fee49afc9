using System.Text;
using PodVm.Cli.Commands;
using PodVm.Cli.Run;
using PodVmPaths = PodVm.LocalKvmProvider.PodVmPaths;
using PodVm.LocalKvmProvider.Image;
using PodVm.LocalKvmProvider.Keys;
using PodVm.PodVmConfig;

namespace PodVm.Cli.Tests;

/// <summary>
/// What `podvm run --attest` must refuse, each with a pod VM booted under the development TEE and a key broker set up
/// as the command sets it up, changed in one respect. The container asks the in-VM endpoint for the secret with a raw
/// HTTP request (busybox nc), so the broker's reason is visible in its output.
/// </summary>
public sealed class AttestRefusalTests(CliFixture fixture) : IDisposable
{
    private const string AskForSecret = "printf 'GET /cdh/resource/default/demo/secret HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 8006";
    private readonly string _scratch = Directory.CreateTempSubdirectory("podvm-cli-refusal-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Attest_Unchanged_SecretReleased()
    {
        fixture.RequireImage();

        var (exit, output, _) = await RunAsync(fixture.ImageDirectory, PlatformPublicKey(), initData: null);

        Assert.Equal(0, exit);
        Assert.Contains("200", output.Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attest_InitrdWithBytesAppended_DeniedBecauseTheMeasurementIsNotTheSignedOne()
    {
        fixture.RequireImage();
        var image = Path.Combine(_scratch, "image");
        Directory.CreateDirectory(image);
        foreach (var file in Directory.GetFiles(fixture.ImageDirectory))
        {
            File.Copy(file, Path.Combine(image, Path.GetFileName(file)));
        }

        // Zeros after the last cpio archive are padding the kernel skips: the VM boots as before, but it is not
        // the initrd the image build measured and signed.
        await using (var initrd = new FileStream(Path.Combine(image, ImageBuilder.InitrdFile), FileMode.Append))
        {
            await initrd.WriteAsync(new byte[512], TestContext.Current.CancellationToken);
        }

        var (_, output, _) = await RunAsync(image, PlatformPublicKey(), initData: null);

        AssertDenied(output);
    }

    [Fact]
    public async Task Attest_ReportSignedByAnUntrustedPlatformKey_Denied()
    {
        fixture.RequireImage();
        var untrusted = Path.Combine(_scratch, "untrusted.pem");
        using (EcKeyFile.LoadOrCreateP384(untrusted))
        {
        }

        var (_, output, _) = await RunAsync(fixture.ImageDirectory, EcKeyFile.PublicKeyFile(untrusted), initData: null);

        AssertDenied(output);
    }

    [Fact]
    public async Task Attest_PodInitDataOtherThanTheBrokerExpects_Denied()
    {
        fixture.RequireImage();

        var (_, output, _) = await RunAsync(fixture.ImageDirectory, PlatformPublicKey(), initData: kbs =>
        {
            // The same settings with one more line: a different document, so a different digest bound at launch.
            var toml = Encoding.UTF8.GetString(InitDataCodec.Decode(kbs.InitData).RawToml.Span) + "# changed\n";
            return InitDataCodec.Encode(Encoding.UTF8.GetBytes(toml));
        });

        AssertDenied(output);
    }

    private static void AssertDenied(string output)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(output);
        var status = output.Split('\n')[0];
        Assert.True(status.Contains("403", StringComparison.Ordinal), $"expected 403 from the in-VM endpoint:\n{output}");
    }

    private static string PlatformPublicKey()
    {
        using (EcKeyFile.LoadOrCreateP384(PodVmPaths.PlatformKey))
        {
        }

        return EcKeyFile.PublicKeyFile(PodVmPaths.PlatformKey);
    }

    private static async Task<(int Exit, string Output, string Errors)> RunAsync(string image, string trustedPlatformKey, Func<DemoKbs, string>? initData)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var signer = EcKeyFile.PublicKeyFile(ReferenceValueExport.DefaultSigningKeyFile);
        await using var kbs = await DemoKbs.StartAsync(image, trustedPlatformKey, signer, cancellationToken).WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
        var request = new RunRequest
        {
            Image = "busybox",
            Command = ["sh", "-c", AskForSecret],
            ImageDirectory = image,
            InitData = initData?.Invoke(kbs) ?? kbs.InitData,
            StartTimeout = TimeSpan.FromMinutes(4),
        };
        using var stdout = new MemoryStream();
        await using var stdoutWriter = new StreamWriter(stdout) { AutoFlush = true };
        await using var stderr = new StringWriter();
        var exit = await RunCommand.RunWithInProcessAdaptorAsync(request, stdoutWriter, stderr, cancellationToken, developmentTee: true)
            .WaitAsync(TimeSpan.FromMinutes(6), cancellationToken);
        return (exit, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }
}
