using PodVm.LocalKvmProvider.Image;
using PodVm.LocalKvmProvider.Tools;

[assembly: AssemblyFixture(typeof(PodVm.LocalKvmProvider.Integration.Tests.ImageFixture))]
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace PodVm.LocalKvmProvider.Integration.Tests;

/// <summary>
/// Builds the pod VM image once per test run and shares it. The build itself is cached on disk by content hash
/// (under $PODVM_HOME, default /var/lib/podvm), so CI on the same machine reuses the kernel and the image.
/// Guest programs are left out: these tests are about the VM plumbing, and the image must not depend on work in
/// progress elsewhere.
/// </summary>
public sealed class ImageFixture : IAsyncLifetime
{
    public string? SkipReason { get; private set; }

    public ImageBuildResult? Image { get; private set; }

    public ImageBuildOptions Options { get; private set; } = new();

    public string WorkRoot { get; } = Directory.CreateTempSubdirectory("pvit-").FullName;

    public static string Home => PodVmPaths.HomeOrTemp;

    public async ValueTask InitializeAsync()
    {
        if (!HostTool.Qemu.IsInstalled())
        {
            SkipReason = "qemu-system-x86_64 is not installed (Debian package qemu-system-x86; run scripts/install-prerequisites.sh)";
            return;
        }

        Options = new ImageBuildOptions
        {
            OutputDirectory = Path.Combine(Home, "images", "integration-tests"),
            CacheDirectory = Path.Combine(Home, "cache"),
            IncludeGuestPrograms = false,
        };
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            Image = await new ImageBuilder().BuildAsync(Options, deadline.Token);
        }
        catch (ImageBuildException e) when (e.Reason is ImageBuildErrorReason.MissingTool or ImageBuildErrorReason.MissingPackage)
        {
            SkipReason = $"the pod VM image cannot be built here: {e.Message}";
        }
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(WorkRoot, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Skips the calling test when the image could not be built on this machine.</summary>
    public ImageBuildResult Require()
    {
        if (SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return Image!;
    }
}
