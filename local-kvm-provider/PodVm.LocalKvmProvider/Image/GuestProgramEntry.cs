namespace PodVm.LocalKvmProvider.Image;

/// <summary>A guest program in the image: its project, its path in the guest and the SHA-256 of the binary.</summary>
public sealed record GuestProgramEntry(string Project, string GuestPath, string Sha256)
{
    /// <summary>
    /// Guest paths that are symbolic links to <see cref="GuestPath"/> (a multi-call binary's program names, chosen by
    /// argv[0]), in ordinal order; empty for a single-program binary.
    /// </summary>
    public IReadOnlyList<string> Links { get; init; } = [];
}
