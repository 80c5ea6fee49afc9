namespace PodVm.LocalKvmProvider.Image;

/// <summary>Finds the PodVm checkout (the directory holding PodVm.sln) above a starting directory.</summary>
public static class RepositoryLocator
{
    public static string? Find(string startDirectory)
    {
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PodVm.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>The checkout above the current directory, else above this program's own files.</summary>
    public static string? FindDefault() => Find(Environment.CurrentDirectory) ?? Find(AppContext.BaseDirectory);
}
