namespace PodVm.LocalKvmProvider.Image;

/// <summary>A guest program published NativeAOT, ready to be placed at <see cref="GuestPath"/>.</summary>
/// <param name="Project">The .csproj, relative to the repository root.</param>
/// <param name="GuestPath">Where it goes in the guest, e.g. /usr/bin/podvm-guest.</param>
/// <param name="SourceDigest">SHA-256 over the project's sources and the build settings: the publish cache key.</param>
/// <param name="Executable">The published native executable on the host.</param>
/// <param name="Links">Guest paths linked to <paramref name="GuestPath"/> (the project's <c>PodVmGuestLinks</c>), ordinal order.</param>
internal sealed record GuestProgram(string Project, string GuestPath, string SourceDigest, string Executable, IReadOnlyList<string> Links)
{
    /// <summary>The libssl-dev version whose OpenSSL is linked into the executable; null when it loads libssl at run time.</summary>
    public string? StaticOpenSsl { get; init; }
}
