namespace PodVm.Testing;

/// <summary>Locates the repository root and ../shared (attestation vectors) from a test's output directory.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepoRoot => Root.Value;

    /// <summary>The shared folder beside the checkout (CI lays a copy of it there).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string AttestationVectors => Path.Combine(Shared, "attestation-vectors");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        for (var i = 0; dir is not null && i < 12; i++, dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PodVm.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"PodVm.sln not found above {AppContext.BaseDirectory}");
    }
}
