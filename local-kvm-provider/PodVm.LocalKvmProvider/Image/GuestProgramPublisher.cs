using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PodVm.LocalKvmProvider.Tools;

namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// Finds the guest programs (executable projects under agent-protocol-forwarder/, attestation/ and guest-agent/ that
/// declare <c>&lt;PodVmGuestProgram&gt;true&lt;/PodVmGuestProgram&gt;</c>; the KBS, an executable there too, does not), publishes each
/// NativeAOT for linux-x64 and caches the result under cache/publish by a digest of its sources, so an unchanged
/// program is not published again. A multi-call binary lists the names it answers to in
/// <c>&lt;PodVmGuestLinks&gt;a;b&lt;/PodVmGuestLinks&gt;</c>: the image gets a /usr/bin link per name, and the publish
/// directory a relative symbolic link per name too (so host tools that look for, e.g., podvm-forwarder there find it).
/// </summary>
internal sealed partial class GuestProgramPublisher
{
    public static readonly string[] SearchFolders = ["agent-protocol-forwarder", "attestation", "guest-agent"];

    public static readonly string[] PublishArguments =
    [
        "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-p:StripSymbols=true",
        "-p:InvariantGlobalization=true", "-p:Deterministic=true", "-p:ContinuousIntegrationBuild=true",
    ];

    /// <summary>The Debian package with OpenSSL's static libraries (libssl.a, libcrypto.a) and headers.</summary>
    public const string StaticOpenSslPackage = "libssl-dev";

    private static readonly string[] SharedBuildFiles = ["Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig"];
    private readonly string _repositoryRoot;
    private readonly string _cache;
    private readonly Action<string> _progress;

    public GuestProgramPublisher(string repositoryRoot, string cacheDirectory, Action<string> progress)
    {
        _repositoryRoot = repositoryRoot;
        _cache = Path.Combine(cacheDirectory, "publish");
        _progress = progress;
    }

    /// <summary>The executable guest projects, in ordinal order of their paths.</summary>
    public IReadOnlyList<string> Discover()
    {
        var projects = new List<string>();
        foreach (var folder in SearchFolders)
        {
            var dir = Path.Combine(_repositoryRoot, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var project in Directory.GetFiles(dir, "*.csproj", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(dir, project);
                if (relative.Count(c => c == '/') == 1
                    && !Path.GetFileNameWithoutExtension(project).EndsWith(".Tests", StringComparison.Ordinal)
                    && File.ReadAllText(project) is var text && OutputTypeExe().IsMatch(text) && GuestProgramMarker().IsMatch(text))
                {
                    projects.Add(project);
                }
            }
        }

        projects.Sort(StringComparer.Ordinal);
        return projects;
    }

    public async Task<GuestProgram> PublishAsync(string project, CancellationToken cancellationToken)
    {
        var assemblyName = AssemblyName(project);
        var links = Links(project);
        var staticOpenSsl = LinksOpenSslStatically(project) ? await StaticOpenSslVersionAsync(project, cancellationToken) : null;
        var digest = SourceDigest(project, staticOpenSsl);
        var output = Path.Combine(_cache, $"{Path.GetFileNameWithoutExtension(project)}-{digest[..16]}");
        var executable = Path.Combine(output, assemblyName);
        var relativeProject = Path.GetRelativePath(_repositoryRoot, project);
        Directory.CreateDirectory(_cache);

        // Test projects build images in parallel; one publish per program at a time, the others then find it done.
        await using var publishLock = await AcquireLockAsync(Path.Combine(_cache, Path.GetFileNameWithoutExtension(project) + ".lock"), cancellationToken);
        if (!File.Exists(Path.Combine(output, ".complete")))
        {
            HostTool.Clang.Locate();
            if (staticOpenSsl is not null)
            {
                // The NativeAOT targets build .NET's OpenSSL interop from source with cmake to link it statically.
                HostTool.Cmake.Locate();
            }

            _progress($"publishing {relativeProject} NativeAOT (cached afterwards)");
            var staging = output + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            try
            {
                await HostTool.Dotnet.RunAsync(["publish", project, .. PublishArguments, "-o", staging], cancellationToken, _repositoryRoot);
            }
            catch (ImageBuildException e) when (e.Reason == ImageBuildErrorReason.ToolFailed)
            {
                throw new ImageBuildException(ImageBuildErrorReason.PublishFailed, $"Publishing guest program {relativeProject} failed: {e.Message}", e);
            }

            if (!File.Exists(Path.Combine(staging, assemblyName)))
            {
                throw new ImageBuildException(ImageBuildErrorReason.PublishFailed, $"Publishing {relativeProject} produced no executable named {assemblyName}.");
            }

            foreach (var link in links)
            {
                File.CreateSymbolicLink(Path.Combine(staging, link), assemblyName);
            }

            await File.WriteAllTextAsync(Path.Combine(staging, ".complete"), digest, cancellationToken);
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }

            Directory.Move(staging, output);
        }
        else
        {
            _progress($"{relativeProject}: published binary is up to date");
        }

        return new GuestProgram(relativeProject, "/usr/bin/" + GuestName(assemblyName, project), digest, executable, links.Select(l => "/usr/bin/" + l).ToList())
        {
            StaticOpenSsl = staticOpenSsl,
        };
    }

    /// <summary>
    /// True when the project links OpenSSL into its executable (<c>&lt;StaticOpenSslLinking&gt;true&lt;/StaticOpenSslLinking&gt;</c>):
    /// the image then needs no libssl/libcrypto, and the program's OpenSSL is the host's libssl-dev at publish time.
    /// </summary>
    internal static bool LinksOpenSslStatically(string project) => StaticOpenSslElement().IsMatch(File.ReadAllText(project));

    /// <summary>
    /// The libssl-dev version a statically linked program gets its OpenSSL from. It is part of the publish cache key, so
    /// an OpenSSL update on the host (a security fix) publishes the program again instead of reusing the old binary.
    /// </summary>
    private static async Task<string> StaticOpenSslVersionAsync(string project, CancellationToken cancellationToken)
    {
        var version = await HostTool.PackageVersionAsync(StaticOpenSslPackage, cancellationToken);
        return version != HostTool.NotInstalled
            ? version
            : throw new ImageBuildException(
                ImageBuildErrorReason.MissingPackage,
                $"{Path.GetFileName(project)} links OpenSSL statically, which needs OpenSSL's static libraries and headers (Debian package {StaticOpenSslPackage}); {HostTool.InstallHint} {StaticOpenSslPackage}.");
    }

    /// <summary>
    /// The name in the guest's /usr/bin: the assembly name when it already starts with "podvm-", else
    /// "podvm-" + the project name in kebab case; the agent-protocol forwarder is "podvm-forwarder".
    /// </summary>
    public static string GuestName(string assemblyName, string project)
    {
        if (assemblyName.StartsWith("podvm-", StringComparison.Ordinal))
        {
            return assemblyName;
        }

        var name = Path.GetFileNameWithoutExtension(project);
        if (name.StartsWith("PodVm.", StringComparison.Ordinal))
        {
            name = name["PodVm.".Length..];
        }

        var kebab = "podvm-" + KebabBoundary().Replace(name.Replace('.', '-'), "$1-$2").ToLowerInvariant();
        return kebab is "podvm-agent-protocol-forwarder" ? "podvm-forwarder" : kebab;
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 1200)
            {
                // Another build publishes this program (NativeAOT takes minutes); wait for it, at most 20 minutes.
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    private static string AssemblyName(string project)
    {
        var match = AssemblyNameElement().Match(File.ReadAllText(project));
        return match.Success ? match.Groups[1].Value.Trim() : Path.GetFileNameWithoutExtension(project);
    }

    /// <summary>The project's <c>PodVmGuestLinks</c> names, ordinal order; each must be a plain file name.</summary>
    internal static IReadOnlyList<string> Links(string project)
    {
        var match = GuestLinksElement().Match(File.ReadAllText(project));
        var links = match.Success
            ? match.Groups[1].Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToList()
            : [];
        if (links.FirstOrDefault(l => l != Path.GetFileName(l) || l is "." or "..") is { } bad)
        {
            throw new ImageBuildException(ImageBuildErrorReason.PublishFailed, $"{project}: PodVmGuestLinks entry '{bad}' is not a plain file name.");
        }

        return links;
    }

    /// <summary>
    /// SHA-256 over every source file of the project and its project references, the shared build files, and for a
    /// statically linked OpenSSL the libssl-dev version.
    /// </summary>
    private string SourceDigest(string project, string? staticOpenSsl)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!visited.Add(current) || !File.Exists(current))
            {
                continue;
            }

            var dir = Path.GetDirectoryName(current)!;
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(dir, file);
                if (!relative.StartsWith("bin/", StringComparison.Ordinal) && !relative.StartsWith("obj/", StringComparison.Ordinal))
                {
                    files.Add(file);
                }
            }

            foreach (Match reference in ProjectReferenceElement().Matches(File.ReadAllText(current)))
            {
                pending.Push(Path.GetFullPath(Path.Combine(dir, reference.Groups[1].Value.Replace('\\', '/'))));
            }
        }

        foreach (var shared in SharedBuildFiles)
        {
            var path = Path.Combine(_repositoryRoot, shared);
            if (File.Exists(path))
            {
                files.Add(path);
            }
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(string.Join(' ', PublishArguments) + "\n" + Environment.Version + "\n"));
        if (staticOpenSsl is not null)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{StaticOpenSslPackage} {staticOpenSsl}\n"));
        }

        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(_repositoryRoot, file) + "\n"));
            hash.AppendData(SHA256.HashData(File.ReadAllBytes(file)));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    [GeneratedRegex(@"<OutputType>\s*Exe\s*</OutputType>", RegexOptions.IgnoreCase)]
    private static partial Regex OutputTypeExe();

    [GeneratedRegex(@"<PodVmGuestProgram>\s*true\s*</PodVmGuestProgram>", RegexOptions.IgnoreCase)]
    private static partial Regex GuestProgramMarker();

    [GeneratedRegex(@"<StaticOpenSslLinking>\s*true\s*</StaticOpenSslLinking>", RegexOptions.IgnoreCase)]
    private static partial Regex StaticOpenSslElement();

    [GeneratedRegex(@"<AssemblyName>([^<]+)</AssemblyName>")]
    private static partial Regex AssemblyNameElement();

    [GeneratedRegex(@"<PodVmGuestLinks>([^<]*)</PodVmGuestLinks>")]
    private static partial Regex GuestLinksElement();

    [GeneratedRegex(@"<ProjectReference\s+Include=""([^""]+)""")]
    private static partial Regex ProjectReferenceElement();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex KebabBoundary();
}
