using System.CommandLine;
using PodVm.LocalKvmProvider;
using PodVm.LocalKvmProvider.Image;

namespace PodVm.Cli.Commands;

/// <summary><c>podvm image build</c>: the local pod VM image (kernel, initramfs, manifest with launch digests).</summary>
internal static class ImageCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output") { Description = $"Image directory (default {PodVmPaths.DefaultImage}; $PODVM_HOME moves it)." };
        var kernel = new Option<string>("--kernel-package") { Description = "Debian kernel package (a meta package is followed).", DefaultValueFactory = _ => "linux-image-amd64" };
        var noPrograms = new Option<bool>("--no-guest-programs") { Description = "Leave the NativeAOT guest programs out (busybox, crun and /init only)." };
        var compression = new Option<InitrdCompression>("--initrd-compression") { Description = "lz4 (default: fastest for the guest to unpack), zstd (smallest), gzip or none.", DefaultValueFactory = _ => new ImageBuildOptions().Compression };
        var keepSignatures = new Option<bool>("--keep-module-signatures") { Description = "Keep Debian's module signatures (the guest then verifies each one at load)." };
        var signingKey = new Option<string>("--signing-key") { Description = $"P-384 PEM key that signs the image's reference values (made on first use; default {ReferenceValueExport.DefaultSigningKeyFile})." };
        var validDays = new Option<int>("--valid-days") { Description = "How long the signed reference values stay valid.", DefaultValueFactory = _ => 90 };
        var build = new Command("build", "Build the pod VM image: kernel from Debian's package, a reproducible initramfs, and manifest.json with the launch digests.")
        {
            output, kernel, noPrograms, compression, keepSignatures, signingKey, validDays,
        };
        build.SetAction(async (parseResult, cancellationToken) =>
        {
            var console = parseResult.InvocationConfiguration.Output;
            var options = new ImageBuildOptions
            {
                OutputDirectory = parseResult.GetValue(output) ?? PodVmPaths.DefaultImage,
                KernelPackage = parseResult.GetValue(kernel) ?? "linux-image-amd64",
                RepositoryRoot = RepositoryLocator.FindDefault(),
                IncludeGuestPrograms = !parseResult.GetValue(noPrograms),
                Compression = parseResult.GetValue(compression),
                StripModuleSignatures = !parseResult.GetValue(keepSignatures),
            };
            try
            {
                var result = await new ImageBuilder(console.WriteLine).BuildAsync(options, cancellationToken);
                var manifest = result.Manifest;
                console.WriteLine($"image {(result.UpToDate ? "up to date" : "built")} in {result.Elapsed.TotalSeconds:F1} s: {result.OutputDirectory}");
                console.WriteLine($"  kernel      {manifest.Kernel.Package} {manifest.Kernel.Version}");
                console.WriteLine($"  initrd.img  sha256 {manifest.Files[ImageBuilder.InitrdFile]}");
                foreach (var (boot, digest) in manifest.LaunchDigests)
                {
                    console.WriteLine($"  launch digest ({boot}, SHA-384): {digest.Sha384}");
                }

                var keyFile = parseResult.GetValue(signingKey) ?? ReferenceValueExport.DefaultSigningKeyFile;
                var bundle = ReferenceValueExport.Write(result.OutputDirectory, manifest, keyFile, DateTimeOffset.UtcNow, TimeSpan.FromDays(parseResult.GetValue(validDays)));
                console.WriteLine($"  reference values signed (kid {ReferenceValueExport.SignerKeyId}, key {keyFile}): {bundle}");
                console.WriteLine($"    import with: podvm kbs import-reference-values --kbs URL --admin-key KEY {bundle}");
                console.WriteLine($"    the KBS trusts the signer through Kbs:ReferenceValueSigners = {{KeyId: {ReferenceValueExport.SignerKeyId}, PublicKeyFile: {PodVm.LocalKvmProvider.Keys.EcKeyFile.PublicKeyFile(keyFile)}}}");

                return 0;
            }
            catch (ImageBuildException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"podvm image build: {e.Message}");
                return 1;
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"podvm image build: cannot sign the reference values: {e.Message}");
                return 1;
            }
        });
        return new Command("image", "Build and inspect the local pod VM image.") { build };
    }
}
