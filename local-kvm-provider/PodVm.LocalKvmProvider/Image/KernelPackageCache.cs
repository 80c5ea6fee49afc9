using System.Security.Cryptography;
using PodVm.LocalKvmProvider.Tools;

namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// Gets a Debian kernel package into the cache: <c>apt-get download</c> into cache/debs, <c>dpkg -x</c> and
/// <c>depmod</c> into cache/kernels/&lt;deb sha256&gt;, and the uncompressed vmlinux (PVH entry) beside it.
/// Each step is skipped when its result is already cached.
/// </summary>
internal sealed class KernelPackageCache
{
    private static readonly byte[] XzMagic = [0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00];
    private readonly string _cache;
    private readonly Action<string> _progress;

    public KernelPackageCache(string cacheDirectory, Action<string> progress)
    {
        _cache = cacheDirectory;
        _progress = progress;
    }

    public async Task<KernelPackage> GetAsync(string packageName, CancellationToken cancellationToken)
    {
        var debs = Path.Combine(_cache, "debs");
        Directory.CreateDirectory(debs);
        var (package, version, fileName, sha256) = await ResolveAsync(packageName, debs, cancellationToken);
        var deb = Path.Combine(debs, fileName);
        if (!File.Exists(deb) || !string.Equals(await Sha256Async(deb, cancellationToken), sha256, StringComparison.Ordinal))
        {
            _progress($"downloading {package} {version}");
            var staging = Directory.CreateTempSubdirectory("podvm-apt-");
            try
            {
                await HostTool.AptGet.RunAsync(["download", $"{package}={version}"], cancellationToken, staging.FullName);
                var downloaded = Directory.GetFiles(staging.FullName, "*.deb").Single();
                File.Move(downloaded, deb, overwrite: true);
            }
            catch (ImageBuildException e) when (e.Reason == ImageBuildErrorReason.ToolFailed)
            {
                throw new ImageBuildException(
                    ImageBuildErrorReason.MissingPackage,
                    $"Debian package {package}={version} could not be downloaded ({e.Message}); check the apt sources and run apt-get update.",
                    e);
            }
            finally
            {
                staging.Delete(recursive: true);
            }

            sha256 = await Sha256Async(deb, cancellationToken);
        }

        var release = package["linux-image-".Length..];
        var root = Path.Combine(_cache, "kernels", sha256[..16]);
        if (!File.Exists(Path.Combine(root, ".complete")))
        {
            await ExtractAsync(deb, release, root, cancellationToken);
        }

        return new KernelPackage(package, version, release, sha256, root);
    }

    /// <summary>Finds the uncompressed kernel inside a bzImage: the first xz stream, decompressed with xz.</summary>
    public static async Task ExtractVmlinuxAsync(string vmlinuz, string output, CancellationToken cancellationToken)
    {
        var image = await File.ReadAllBytesAsync(vmlinuz, cancellationToken);
        var offset = image.AsSpan().IndexOf(XzMagic);
        if (offset < 0)
        {
            throw new ImageBuildException(ImageBuildErrorReason.InvalidInput, $"{vmlinuz} has no xz-compressed payload (expected CONFIG_KERNEL_XZ).");
        }

        var xzFile = output + ".xz";
        await File.WriteAllBytesAsync(xzFile, image.AsMemory(offset).ToArray(), cancellationToken);
        await HostTool.Xz.RunAsync(["--decompress", "--single-stream", "--force", "--keep", xzFile], cancellationToken);
        File.Delete(xzFile);
        var head = new byte[4];
        await using (var stream = File.OpenRead(output))
        {
            await stream.ReadExactlyAsync(head, cancellationToken);
        }

        if (head is not [0x7F, (byte)'E', (byte)'L', (byte)'F'])
        {
            throw new ImageBuildException(ImageBuildErrorReason.InvalidInput, $"The payload of {vmlinuz} is not an ELF vmlinux.");
        }
    }

    private async Task<(string Package, string Version, string FileName, string Sha256)> ResolveAsync(
        string packageName, string debs, CancellationToken cancellationToken)
    {
        try
        {
            var package = packageName;
            var fields = await ShowAsync(package, cancellationToken);
            if (!IsConcreteKernel(package))
            {
                // A meta package (linux-image-amd64): follow its Depends to the concrete kernel.
                package = fields.GetValueOrDefault("Depends", "").Split(',')
                    .Select(d => d.Trim().Split(' ')[0])
                    .FirstOrDefault(IsConcreteKernel)
                    ?? throw new ImageBuildException(ImageBuildErrorReason.MissingPackage, $"{packageName} does not depend on a concrete linux-image package.");
                fields = await ShowAsync(package, cancellationToken);
            }

            return (package, fields["Version"], Path.GetFileName(fields["Filename"]), fields["SHA256"]);
        }
        catch (ImageBuildException e) when (e.Reason is ImageBuildErrorReason.ToolFailed or ImageBuildErrorReason.MissingTool or ImageBuildErrorReason.MissingPackage)
        {
            // Offline: fall back to a kernel already in the cache.
            var cached = Directory.GetFiles(debs, "linux-image-*_amd64.deb").Order(StringComparer.Ordinal).LastOrDefault();
            if (cached is null)
            {
                throw new ImageBuildException(
                    ImageBuildErrorReason.MissingPackage,
                    $"The kernel package {packageName} cannot be resolved ({e.Message}) and none is cached in {debs}. "
                    + "Run apt-get update, or put a linux-image-<version>-amd64 .deb there.",
                    e);
            }

            _progress($"apt cannot resolve {packageName}; using cached {Path.GetFileName(cached)}");
            var parts = Path.GetFileNameWithoutExtension(cached).Split('_');
            return (parts[0], parts[1], Path.GetFileName(cached), await Sha256Async(cached, cancellationToken));
        }
    }

    private static bool IsConcreteKernel(string name) =>
        name.StartsWith("linux-image-", StringComparison.Ordinal) && name.Length > 12 && char.IsAsciiDigit(name[12]);

    private static async Task<Dictionary<string, string>> ShowAsync(string package, CancellationToken cancellationToken)
    {
        var result = await HostTool.AptCache.RunAsync(["show", "--no-all-versions", package], cancellationToken, throwOnFailure: false);
        if (result.ExitCode != 0 || result.StandardOutput.Trim().Length == 0)
        {
            throw new ImageBuildException(
                ImageBuildErrorReason.MissingPackage,
                $"Debian package {package} is not known to apt ({result.StandardError.Trim()}); run apt-get update.");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !char.IsWhiteSpace(line[0]))
            {
                fields.TryAdd(line[..colon], line[(colon + 1)..].Trim());
            }
        }

        return fields;
    }

    private async Task ExtractAsync(string deb, string release, string root, CancellationToken cancellationToken)
    {
        _progress($"extracting {Path.GetFileName(deb)}");
        var staging = root + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        await HostTool.Dpkg.RunAsync(["-x", deb, staging], cancellationToken);
        if (!Directory.Exists(Path.Combine(staging, "lib", "modules", release)))
        {
            throw new ImageBuildException(ImageBuildErrorReason.InvalidInput, $"{deb} has no lib/modules/{release}.");
        }

        _progress("depmod");
        await HostTool.Depmod.RunAsync(["-b", staging, release], cancellationToken);
        _progress("extracting the uncompressed vmlinux for the PVH entry point");
        await ExtractVmlinuxAsync(Path.Combine(staging, "boot", "vmlinuz-" + release), Path.Combine(staging, "vmlinux"), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(staging, ".complete"), release, cancellationToken);
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        Directory.Move(staging, root);
    }

    private static async Task<string> Sha256Async(string file, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }
}
