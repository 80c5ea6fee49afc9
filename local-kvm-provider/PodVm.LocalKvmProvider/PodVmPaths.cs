namespace PodVm.LocalKvmProvider;

/// <summary>
/// Where local mode keeps its files: <c>$PODVM_HOME</c>, else <c>/var/lib/podvm</c>. One place, so the CLI, the
/// provider and CI on the same machine share the image, its build cache and the VM directories.
/// </summary>
public static class PodVmPaths
{
    public const string HomeVariable = "PODVM_HOME";
    public const string DefaultHome = "/var/lib/podvm";

    public static string Home
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(HomeVariable);
            return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultHome : Path.GetFullPath(fromEnvironment);
        }
    }

    /// <summary>
    /// <see cref="Home"/> when it exists or can be made, else <c>podvm-home</c> under the temporary directory (test
    /// runs and image builds as a user who cannot write /var/lib).
    /// </summary>
    public static string HomeOrTemp
    {
        get
        {
            try
            {
                Directory.CreateDirectory(Home);
                return Home;
            }
            catch (UnauthorizedAccessException)
            {
                return Path.Combine(Path.GetTempPath(), "podvm-home");
            }
        }
    }

    /// <summary>Downloaded packages, extracted kernels and published guest programs, keyed by content hash.</summary>
    public static string Cache => Path.Combine(Home, "cache");

    /// <summary>The default image output directory.</summary>
    public static string DefaultImage => Path.Combine(Home, "image");

    /// <summary>One directory per VM (state file, sockets, console log).</summary>
    public static string Vms => Path.Combine(Home, "vms");

    /// <summary>The local development TEE's platform key (its public half is platform-key.pub.pem beside it).</summary>
    public static string PlatformKey => Path.Combine(Home, "tee", "platform-key.pem");

    /// <summary>Console logs of deleted VMs, kept for the configured retention.</summary>
    public static string Logs => Path.Combine(Home, "logs");
}
