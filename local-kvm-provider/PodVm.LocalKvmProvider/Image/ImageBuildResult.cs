namespace PodVm.LocalKvmProvider.Image;

/// <summary>The outcome of a build: where the image is, its manifest, and whether the cached image was reused.</summary>
public sealed record ImageBuildResult(string OutputDirectory, ImageManifest Manifest, bool UpToDate, TimeSpan Elapsed);
