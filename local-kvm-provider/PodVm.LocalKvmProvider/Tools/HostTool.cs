using System.Diagnostics;
using PodVm.LocalKvmProvider.Image;

namespace PodVm.LocalKvmProvider.Tools;

/// <summary>
/// A program on the host that local mode needs, with the Debian package that provides it, so every "not found"
/// says what to install.
/// </summary>
internal sealed record HostTool(string Name, string Package)
{
    public const string InstallHint = "run scripts/install-prerequisites.sh (as root) or apt-get install";

    /// <summary>What <see cref="PackageVersionAsync"/> answers for a package dpkg does not know as installed.</summary>
    public const string NotInstalled = "not installed as a package";

    public static readonly HostTool AptGet = new("apt-get", "apt");
    public static readonly HostTool AptCache = new("apt-cache", "apt");
    public static readonly HostTool Dpkg = new("dpkg", "dpkg");
    public static readonly HostTool DpkgQuery = new("dpkg-query", "dpkg");
    public static readonly HostTool Depmod = new("depmod", "kmod");
    public static readonly HostTool Xz = new("xz", "xz-utils");
    public static readonly HostTool Zstd = new("zstd", "zstd");
    public static readonly HostTool Lz4 = new("lz4", "lz4");
    public static readonly HostTool Ldd = new("ldd", "libc-bin");
    public static readonly HostTool Busybox = new("busybox", "busybox-static");
    public static readonly HostTool Crun = new("crun", "crun");
    public static readonly HostTool Dotnet = new("dotnet", "the .NET 10 SDK");
    public static readonly HostTool Clang = new("clang", "clang");
    public static readonly HostTool Cmake = new("cmake", "cmake");
    public static readonly HostTool Qemu = new("qemu-system-x86_64", "qemu-system-x86");

    /// <summary>The tool's full path, or an <see cref="ImageBuildException"/> that names the package.</summary>
    public string Locate()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
                     .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/share/dotnet"]))
        {
            var candidate = Path.Combine(dir, Name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new ImageBuildException(
            ImageBuildErrorReason.MissingTool,
            $"'{Name}' is not installed (Debian package {Package}); {InstallHint} {Package}.");
    }

    /// <summary>The installed version of a Debian package, or "not installed as a package".</summary>
    public static async Task<string> PackageVersionAsync(string package, CancellationToken cancellationToken)
    {
        var result = await DpkgQuery.RunAsync(["-W", "-f=${Version}", package], cancellationToken, throwOnFailure: false);
        return result.ExitCode == 0 && result.StandardOutput.Length > 0 ? result.StandardOutput.Trim() : NotInstalled;
    }

    public bool IsInstalled()
    {
        try
        {
            Locate();
            return true;
        }
        catch (ImageBuildException)
        {
            return false;
        }
    }

    /// <summary>Runs the tool to completion and returns its output; a non-zero exit becomes an exception.</summary>
    public async Task<ToolResult> RunAsync(
        IEnumerable<string> arguments,
        CancellationToken cancellationToken,
        string? workingDirectory = null,
        bool throwOnFailure = true,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(Locate())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        using var process = Process.Start(startInfo)
            ?? throw new ImageBuildException(ImageBuildErrorReason.ToolFailed, $"'{Name}' could not be started.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var result = new ToolResult(process.ExitCode, await stdout, await stderr);
        if (throwOnFailure && result.ExitCode != 0)
        {
            var detail = (result.StandardError.Length > 0 ? result.StandardError : result.StandardOutput).Trim();
            if (detail.Length > 2000)
            {
                detail = detail[^2000..];
            }

            throw new ImageBuildException(
                ImageBuildErrorReason.ToolFailed,
                $"'{Name} {string.Join(' ', startInfo.ArgumentList)}' failed with exit code {result.ExitCode}: {detail}");
        }

        return result;
    }
}
