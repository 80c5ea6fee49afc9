namespace PodVm.LocalKvmProvider.Image;

/// <summary>A guest program in the image: its project, its path in the guest and the SHA-256 of the binary.</summary>
public sealed record GuestProgramEntry(string Project, string GuestPath, string Sha256);
