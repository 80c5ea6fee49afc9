using Xunit;

namespace PodVm.Testing;

/// <summary>
/// Run-time checks for what a test needs from the machine. A test that cannot run here calls one of these and is
/// reported as skipped with the reason; it never passes silently.
/// </summary>
public static class Requires
{
    public static void Tool(string name, string package)
    {
        if (FindOnPath(name) is null)
        {
            Assert.Skip($"'{name}' is not installed (Debian package {package}; run scripts/install-prerequisites.sh)");
        }
    }

    public static void Root()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("needs root");
        }
    }

    public static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
