namespace PodVm.LocalKvmProvider.Image;

/// <summary>The kernel an image was built from.</summary>
public sealed record KernelComponent(string Package, string Version, string Release, string DebSha256);
