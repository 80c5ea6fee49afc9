using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PodVm.GuestAgent.Images;
using PodVm.LocalKvmProvider.Tools;

namespace PodVm.LocalKvmProvider.Image;

/// <summary>
/// Builds the local pod VM image: vmlinux (PVH fast path), vmlinuz (bzImage, for TPM boots), initrd.img (newc cpio,
/// gzip level 6, written here with fixed metadata) and manifest.json. The same inputs give byte-identical files; when
/// the input digest matches the existing image and its files are intact, nothing is rewritten.
/// </summary>
public sealed class ImageBuilder
{
    /// <summary>Bump when the layout of the image changes, so cached images are rebuilt.</summary>
    public const string BuilderVersion = "podvm-image-builder/5";

    public const string VmlinuxFile = "vmlinux";
    public const string VmlinuzFile = "vmlinuz";
    public const string InitrdFile = "initrd.img";

    /// <summary>Where the pod VM keeps the OCI image layouts containers are made from (the guest agent reads them).</summary>
    public const string ImagesGuestDirectory = "usr/share/podvm/images";

    private const int Executable = 0x1ED; // 0755
    private const int Readable = 0x1A4; // 0644
    private const int RootOnlyDirectory = 0x1C0; // 0700
    private const int RootOnlyFile = 0x180; // 0600

    private readonly Action<string> _progress;
    private int _step;

    public ImageBuilder(Action<string>? progress = null)
    {
        _progress = progress ?? (_ => { });
    }

    public async Task<ImageBuildResult> BuildAsync(ImageBuildOptions options, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        Step("checking host tools");
        foreach (var tool in new[] { HostTool.AptGet, HostTool.AptCache, HostTool.Dpkg, HostTool.Depmod, HostTool.Xz, HostTool.Ldd, HostTool.Busybox, HostTool.Crun })
        {
            tool.Locate();
        }

        var compressor = InitrdCompressor.For(options.Compression);
        compressor?.Tool.Locate();

        Directory.CreateDirectory(options.CacheDirectory);
        Step($"kernel package {options.KernelPackage}");
        var kernel = await new KernelPackageCache(options.CacheDirectory, Detail).GetAsync(options.KernelPackage, cancellationToken);
        Detail($"{kernel.Package} {kernel.Version} (sha256 {kernel.DebSha256[..16]}...)");

        Step("kernel modules");
        var resolver = KernelModuleResolver.Load(kernel.ModulesDirectory);
        var earlyModules = resolver.Resolve(options.Modules);
        var lateModules = resolver.Resolve(options.Modules.Concat(options.LateModules)).Except(earlyModules, StringComparer.Ordinal).ToList();
        var modules = earlyModules.Concat(lateModules).ToList();
        Detail(string.Join(' ', earlyModules.Select(m => Path.GetFileNameWithoutExtension(m))) + "; after ready: " + string.Join(' ', lateModules.Select(m => Path.GetFileNameWithoutExtension(m))));

        var tree = new InitramfsTree();
        Step("busybox, crun and libraries");
        var components = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["builder"] = BuilderVersion,
            ["busybox-static"] = await HostTool.PackageVersionAsync("busybox-static", cancellationToken),
            ["crun"] = await HostTool.PackageVersionAsync("crun", cancellationToken),
        };
        if (compressor is not null)
        {
            // The compressor's version decides the initrd's bytes, so it is part of the input digest too.
            components[compressor.Tool.Package] = await HostTool.PackageVersionAsync(compressor.Tool.Package, cancellationToken);
        }

        await AddBaseAsync(tree, cancellationToken);
        var crun = HostTool.Crun.Locate();
        await AddProgramAsync(tree, "/usr/bin/crun", crun, cancellationToken);

        foreach (var module in modules)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(kernel.ModulesDirectory, module), cancellationToken);
            tree.AddFile($"lib/modules/{kernel.Release}/{module}", options.StripModuleSignatures ? ModuleSignature.Strip(bytes) : bytes, Readable);
        }

        tree.AddFile($"lib/modules/{kernel.Release}/modules.dep", Encoding.UTF8.GetBytes(resolver.DependencyFile(modules)), Readable);
        tree.AddFile("etc/podvm/modules", Encoding.UTF8.GetBytes(string.Join('\n', earlyModules) + "\n"), Readable);
        tree.AddFile("etc/podvm/modules.late", Encoding.UTF8.GetBytes(string.Concat(lateModules.Select(m => m + "\n"))), Readable);

        Step("guest programs");
        var programs = new List<GuestProgramEntry>();
        var openSslAtRunTime = false;
        if (options.IncludeGuestPrograms && options.RepositoryRoot is { } repositoryRoot)
        {
            var publisher = new GuestProgramPublisher(repositoryRoot, options.CacheDirectory, Detail);
            var projects = publisher.Discover();
            if (projects.Count == 0)
            {
                Detail($"none found under {string.Join(", ", GuestProgramPublisher.SearchFolders)} in {repositoryRoot}; the image has none");
            }
            else
            {
                HostTool.Dotnet.Locate();
            }

            foreach (var project in projects)
            {
                var program = await publisher.PublishAsync(project, cancellationToken);
                await AddProgramAsync(tree, program.GuestPath, program.Executable, cancellationToken);
                foreach (var link in program.Links)
                {
                    // A multi-call binary: /init and everything else run it by these names (argv[0] selects the program).
                    tree.AddSymlink(link, program.GuestPath);
                }

                programs.Add(new GuestProgramEntry(program.Project, program.GuestPath, Sha256(program.Executable)) { Links = program.Links });
                if (program.StaticOpenSsl is { } openSsl)
                {
                    components[GuestProgramPublisher.StaticOpenSslPackage] = openSsl;
                }
                else
                {
                    openSslAtRunTime = true;
                }

                Detail($"{program.GuestPath} <- {program.Project}{(program.Links.Count > 0 ? "; links: " + string.Join(' ', program.Links) : string.Empty)}");
            }
        }
        else
        {
            Detail("not included (no repository, or disabled)");
        }

        if (openSslAtRunTime)
        {
            // .NET's TLS opens OpenSSL with dlopen at run time, so ldd does not list it. A program that links OpenSSL
            // statically (the multi-call binary) needs neither libssl nor libcrypto in the image.
            await AddProgramAsync(tree, LocateLibrary("libssl.so.3", "libssl3"), cancellationToken);
        }

        Step("container images");
        components["images"] = await AddContainerImagesAsync(tree, cancellationToken);

        foreach (var (guestPath, hostFile) in options.ExtraFiles.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            tree.AddFile(guestPath, hostFile, Executable);
        }

        Step("input digest");
        var initramfsFiles = tree.FileDigests();
        var inputDigest = InputDigest(kernel, tree, initramfsFiles, options.CommandLine, $"{options.Compression} {(compressor is null ? null : components[compressor.Tool.Package])}".TrimEnd());
        var output = Path.GetFullPath(options.OutputDirectory);
        if (TryLoadUpToDate(output, inputDigest) is { } existing)
        {
            Step($"up to date: {output} (input digest {inputDigest[..16]}...)");
            return new ImageBuildResult(output, existing, UpToDate: true, stopwatch.Elapsed);
        }

        var staging = output + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        Step($"writing initrd.img (newc cpio, {compressor?.Label ?? (options.Compression == InitrdCompression.Gzip ? "gzip -6" : "uncompressed")})");
        var initrdPath = Path.Combine(staging, InitrdFile);
        if (compressor is not null)
        {
            var cpio = Path.Combine(staging, "initrd.cpio");
            await using (var plain = File.Create(cpio))
            {
                tree.WriteCpio(plain);
            }

            await compressor.Tool.RunAsync(compressor.Arguments(cpio, initrdPath), cancellationToken);
            File.Delete(cpio);
        }
        else
        {
            await using var initrd = File.Create(initrdPath);
            if (options.Compression == InitrdCompression.Gzip)
            {
                tree.WriteGzipCpio(initrd);
            }
            else
            {
                tree.WriteCpio(initrd);
            }
        }

        Step("copying kernel (vmlinux, vmlinuz)");
        var vmlinux = ElfZeroTail.Trim(await File.ReadAllBytesAsync(kernel.Vmlinux, cancellationToken), out var zeroTail);
        await File.WriteAllBytesAsync(Path.Combine(staging, VmlinuxFile), vmlinux, cancellationToken);
        Detail($"vmlinux: {zeroTail / (1024.0 * 1024.0):F1} MiB of zeros at the ends of its load segments left to QEMU to zero-fill (not read from the file)");
        File.Copy(kernel.Vmlinuz, Path.Combine(staging, VmlinuzFile));

        Step("launch digests");
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var sha384 = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in new[] { VmlinuxFile, VmlinuzFile, InitrdFile })
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(staging, file), cancellationToken);
            files[file] = Convert.ToHexStringLower(SHA256.HashData(bytes));
            sha384[file] = SHA384.HashData(bytes);
        }

        var launchDigests = new SortedDictionary<string, LaunchDigest>(StringComparer.Ordinal)
        {
            [ImageManifest.PvhBoot] = Launch(VmlinuxFile, sha384, options.CommandLine),
            [ImageManifest.BzImageBoot] = Launch(VmlinuzFile, sha384, options.CommandLine),
        };
        var manifest = new ImageManifest
        {
            InputDigest = inputDigest,
            Kernel = new KernelComponent(kernel.Package, kernel.Version, kernel.Release, kernel.DebSha256),
            Components = components,
            Modules = modules,
            GuestPrograms = programs,
            Files = files,
            InitramfsFiles = initramfsFiles,
            LaunchDigests = launchDigests,
        };
        await File.WriteAllTextAsync(Path.Combine(staging, ImageManifest.FileName), manifest.ToJson(), cancellationToken);

        Step($"installing into {output}");
        Replace(staging, output);
        Detail($"launch digest (pvh): {launchDigests[ImageManifest.PvhBoot].Sha384}");
        return new ImageBuildResult(output, manifest, UpToDate: false, stopwatch.Elapsed);
    }

    /// <summary>
    /// The baseline initramfs for <c>podvm bench boot</c>: busybox and an init that prints a marker and reboots.
    /// </summary>
    public static async Task WriteBareInitrdAsync(string path, CancellationToken cancellationToken)
    {
        var tree = new InitramfsTree();
        tree.AddFile("bin/busybox", HostTool.Busybox.Locate(), Executable);
        foreach (var link in new[] { "bin/sh", "bin/mount", "bin/echo", "sbin/reboot" })
        {
            tree.AddSymlink(link, "/bin/busybox");
        }

        tree.AddDirectory("proc");
        tree.AddDirectory("dev");
        tree.AddCharDevice("dev/console", 0x180, 5, 1);
        tree.AddFile("init", GuestFiles.Read(GuestFiles.BareInit), Executable);
        await using var file = File.Create(path);
        tree.WriteGzipCpio(file);
        await file.FlushAsync(cancellationToken);
    }

    private static LaunchDigest Launch(string kernelFile, Dictionary<string, byte[]> sha384, string commandLine) =>
        new(kernelFile, InitrdFile, commandLine, Convert.ToHexStringLower(LaunchMeasurement.Combine(sha384[kernelFile], sha384[InitrdFile], commandLine)));

    /// <summary>The kernel's built-in module helper path (CONFIG_MODPROBE_PATH), which the image leaves empty.</summary>
    internal const string BootModprobe = "sbin/modprobe";

    /// <summary>
    /// Where the image's modprobe is, and what /init sets <c>/proc/sys/kernel/modprobe</c> to as it starts. While it
    /// boots, the kernel asks for optional modules (crypto-hmac(sha256), crypto-cbc(aes) and their "-all" forms: six
    /// requests), each of which runs the helper from the initramfs; the image carries none of them, so under QEMU TCG
    /// that was six busybox starts before /init, for nothing. With no helper at the kernel's path the requests fail at
    /// once, as they do for the bare kernel; from /init on, module requests (an overlay mount, say) are served.
    /// </summary>
    internal const string KernelModprobe = "/usr/sbin/modprobe";

    /// <summary>
    /// What /init needs in /run before ready, made by the kernel as it unpacks the initramfs (/run is not a tmpfs of
    /// its own; fstab.early does not mount one): /run/podvm, root-only, with the forwarder's and the agent's notify
    /// FIFOs (0600), and /run/peerpod, root-only, where the pod VM configuration and its secrets are written. Two
    /// busybox execs (mkdir, mkfifo) fewer before ready, ~10 ms each under QEMU TCG.
    /// </summary>
    internal static void AddRunDirectories(InitramfsTree tree)
    {
        tree.AddDirectory("run/podvm", RootOnlyDirectory);
        tree.AddFifo("run/podvm/forwarder.notify", RootOnlyFile);
        tree.AddFifo("run/podvm/agent.notify", RootOnlyFile);
        tree.AddDirectory("run/peerpod", RootOnlyDirectory);
    }

    private static async Task AddBaseAsync(InitramfsTree tree, CancellationToken cancellationToken)
    {
        foreach (var dir in new[] { "proc", "sys", "dev", "run", "tmp", "root", "mnt", "var/log", "etc/podvm" })
        {
            tree.AddDirectory(dir);
        }

        AddRunDirectories(tree);
        tree.AddCharDevice("dev/console", 0x180, 5, 1);
        tree.AddCharDevice("dev/null", 0x1B6, 1, 3);
        tree.AddFile("init", GuestFiles.Read(GuestFiles.Init), Executable);
        tree.AddFile("etc/inittab", GuestFiles.Read(GuestFiles.InitTab), Readable);
        tree.AddFile("etc/podvm/fstab.early", GuestFiles.Read(GuestFiles.FstabEarly), Readable);
        tree.AddFile("etc/podvm/fstab.dev", GuestFiles.Read(GuestFiles.FstabDev), Readable);
        tree.AddFile("etc/acpi/PWRF/00000080", GuestFiles.Read(GuestFiles.PowerButton), Executable);
        tree.AddFile("usr/share/podvm/www/index.html", GuestFiles.Read(GuestFiles.ReadyPage), Readable);
        tree.AddFile("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"u8.ToArray(), Readable);
        tree.AddFile("etc/group", "root:x:0:\n"u8.ToArray(), Readable);

        var busybox = HostTool.Busybox.Locate();
        tree.AddFile("bin/busybox", busybox, Executable);
        var list = await HostTool.Busybox.RunAsync(["--list-full"], cancellationToken);
        foreach (var applet in list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                     .Order(StringComparer.Ordinal))
        {
            if (applet == BootModprobe)
            {
                // Not at the path the kernel runs for module requests while it boots (see KernelModprobe).
                tree.AddSymlink(KernelModprobe.TrimStart('/'), "/bin/busybox");
            }
            else if (applet.Contains('/', StringComparison.Ordinal) && applet != "bin/busybox" && !tree.Contains(applet))
            {
                tree.AddSymlink(applet, "/bin/busybox");
            }
        }
    }

    /// <summary>
    /// Adds the images pods can run without pulling anything: <c>busybox</c> (tags <c>latest</c>), made from the
    /// host's busybox-static by a reproducible single-layer writer. Returns the images and their manifest digests.
    /// </summary>
    private async Task<string> AddContainerImagesAsync(InitramfsTree tree, CancellationToken cancellationToken)
    {
        var busybox = HostTool.Busybox.Locate();
        var list = await HostTool.Busybox.RunAsync(["--list"], cancellationToken);
        var entries = OciLayoutWriter.BusyboxEntries(await File.ReadAllBytesAsync(busybox, cancellationToken), list.StandardOutput.Split('\n'));
        var scratch = Directory.CreateTempSubdirectory("podvm-images-");
        try
        {
            var layout = Path.Combine(scratch.FullName, "busybox");
            var digest = OciLayoutWriter.Write(layout, entries, new OciImageConfig { Cmd = ["sh"] });
            foreach (var file in Directory.GetFiles(layout, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(scratch.FullName, file);
                tree.AddFile($"{ImagesGuestDirectory}/{relative}", await File.ReadAllBytesAsync(file, cancellationToken), Readable);
            }

            Detail($"busybox:latest {digest}");
            return $"busybox:latest@{digest}";
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static Task AddProgramAsync(InitramfsTree tree, string hostLibrary, CancellationToken cancellationToken) =>
        AddProgramAsync(tree, hostLibrary, hostLibrary, cancellationToken);

    private static string LocateLibrary(string soname, string debianPackage)
    {
        foreach (var dir in new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib" })
        {
            var path = Path.Combine(dir, soname);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new ImageBuildException(ImageBuildErrorReason.MissingPackage, $"{soname} is not installed; the guest programs need it for TLS. Install it with: apt-get install {debianPackage}");
    }

    private static async Task AddProgramAsync(InitramfsTree tree, string guestPath, string hostFile, CancellationToken cancellationToken)
    {
        tree.AddFile(guestPath, hostFile, Executable);
        foreach (var library in await SharedLibraryResolver.ResolveAsync(hostFile, cancellationToken))
        {
            if (!tree.Contains(library))
            {
                tree.AddFile(library, library, Executable);
            }
        }
    }

    private static string InputDigest(KernelPackage kernel, InitramfsTree tree, SortedDictionary<string, string> files, string commandLine, string compression)
    {
        var text = new StringBuilder();
        text.Append(BuilderVersion).Append('\n');
        text.Append("kernel ").Append(kernel.Package).Append(' ').Append(kernel.DebSha256).Append('\n');
        text.Append("cmdline ").Append(commandLine).Append('\n');
        text.Append("initrd ").Append(compression).Append('\n');
        foreach (var entry in tree.Entries)
        {
            text.Append(entry.Kind.ToString()).Append(' ').Append(entry.Path).Append(' ')
                .Append(entry.Permissions.ToString("X", CultureInfo.InvariantCulture)).Append(' ')
                .Append(entry.LinkTarget).Append(' ')
                .Append(files.GetValueOrDefault("/" + entry.Path)).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private ImageManifest? TryLoadUpToDate(string output, string inputDigest)
    {
        try
        {
            var manifest = ImageManifest.Load(output);
            if (manifest.InputDigest != inputDigest)
            {
                return null;
            }

            Step("verifying the existing image");
            foreach (var (file, digest) in manifest.Files)
            {
                if (Sha256(Path.Combine(output, file)) != digest)
                {
                    Detail($"{file} does not match the manifest; rebuilding");
                    return null;
                }
            }

            return manifest;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Replace(string staging, string output)
    {
        var old = output + ".old-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (Directory.Exists(output))
        {
            Directory.Move(output, old);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        Directory.Move(staging, output);
        if (Directory.Exists(old))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private void Step(string message) => _progress($"[{++_step}] {message}");

    private void Detail(string message) => _progress($"    {message}");
}
