using PodVm.LocalKvmProvider;
using PodVm.LocalKvmProvider.Image;

namespace PodVm.Providers.Conformance.Tests;

/// <summary>
/// The pod VM image for <see cref="LocalProviderConformanceTests"/>, built once per run WITHOUT guest programs (the
/// suite tests the provider, not the guest) into its own output directory, sharing the on-disk build cache; plus a
/// broken copy of it whose kernel QEMU cannot boot, for the failed-create test. Records why the local provider
/// cannot run here instead of failing.
/// </summary>
public sealed class LocalImageFixture : IAsyncLifetime
{
    public string? SkipReason { get; private set; }

    public ImageBuildResult? Image { get; private set; }

    /// <summary>An image directory with the real manifest and initrd but a kernel that is not one.</summary>
    public string BrokenImageDirectory { get; private set; } = string.Empty;

    public string WorkRoot { get; } = Directory.CreateTempSubdirectory("pvconf-").FullName;

    private static string Home => PodVmPaths.HomeOrTemp;

    public async ValueTask InitializeAsync()
    {
        if (Requires.FindOnPath("qemu-system-x86_64") is null)
        {
            SkipReason = "qemu-system-x86_64 is not installed (Debian package qemu-system-x86; run scripts/install-prerequisites.sh)";
            return;
        }

        var options = new ImageBuildOptions
        {
            OutputDirectory = Path.Combine(Home, "images", "provider-conformance-tests"),
            CacheDirectory = Path.Combine(Home, "cache"),
            IncludeGuestPrograms = false,
        };
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            Image = await new ImageBuilder().BuildAsync(options, deadline.Token);
        }
        catch (ImageBuildException e) when (e.Reason is ImageBuildErrorReason.MissingTool or ImageBuildErrorReason.MissingPackage)
        {
            SkipReason = $"the pod VM image cannot be built here: {e.Message}";
            return;
        }

        BrokenImageDirectory = Directory.CreateDirectory(Path.Combine(WorkRoot, "broken-image")).FullName;
        var source = Image.OutputDirectory;
        var boot = ImageManifest.Load(source).LaunchDigests[ImageManifest.PvhBoot];
        File.Copy(Path.Combine(source, ImageManifest.FileName), Path.Combine(BrokenImageDirectory, ImageManifest.FileName));
        await File.WriteAllBytesAsync(Path.Combine(BrokenImageDirectory, boot.Kernel), new byte[64 * 1024]);
        File.CreateSymbolicLink(Path.Combine(BrokenImageDirectory, boot.Initrd), Path.Combine(source, boot.Initrd));
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(WorkRoot, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Skips the calling test (or test class constructor) when the image could not be built here.</summary>
    public ImageBuildResult Require()
    {
        if (SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return Image!;
    }
}
