using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PodVm.Cli.Bench;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.LocalKvmProvider;
using PodVm.LocalKvmProvider.Image;
using PodVm.LocalKvmProvider.Provider;
using PodVm.LocalKvmProvider.Qemu;

namespace PodVm.Cli.Commands;

/// <summary>
/// <c>podvm bench boot</c>: create-to-guest-ready of the pod VM image through the local provider, beside the same
/// kernel booted to a trivial init with the same QEMU settings, interleaved in one run; and QEMU's RSS per idle VM.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "Boots of each kind (median reported; at least 5).", DefaultValueFactory = _ => 5 };
        var image = new Option<string>("--image") { Description = $"Image directory (default {PodVmPaths.DefaultImage})." };
        var memory = new Option<int>("--memory") { Description = "Guest memory in MiB.", DefaultValueFactory = _ => 256 };
        var vcpus = new Option<int>("--vcpus") { Description = "vCPUs of both the bare kernel and the pod VM (same setting for the baseline).", DefaultValueFactory = _ => 1 };
        var idle = new Option<int>("--idle-seconds") { Description = "How long a VM idles after ready before its RSS is read.", DefaultValueFactory = _ => 5 };
        var boot = new Command("boot", "Median create-to-ready of the pod VM vs a bare kernel to a trivial init, and QEMU RSS per idle VM.") { runs, image, memory, vcpus, idle };
        boot.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var count = Math.Max(5, parseResult.GetValue(runs));
            var memoryMiB = parseResult.GetValue(memory);
            var vcpuCount = Math.Max(1, parseResult.GetValue(vcpus));
            var imageDirectory = Path.GetFullPath(parseResult.GetValue(image) ?? PodVmPaths.DefaultImage);
            ImageManifest manifest;
            try
            {
                manifest = ImageManifest.Load(imageDirectory);
            }
            catch (IOException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"podvm bench boot: no image in {imageDirectory} ({e.Message}); run 'podvm image build'.");
                return 1;
            }

            var pvh = manifest.LaunchDigests[ImageManifest.PvhBoot];
            var work = Directory.CreateTempSubdirectory("pvb-").FullName;
            var bareInitrd = Path.Combine(work, "bare-initrd.img");
            await ImageBuilder.WriteBareInitrdAsync(bareInitrd, cancellationToken);
            var options = new LocalKvmProviderOptions
            {
                StateDirectory = Path.Combine(PodVmPaths.Home, "bench", "vms"),
                LogDirectory = Path.Combine(PodVmPaths.Home, "bench", "logs"),
                ImageDirectory = imageDirectory,
            };
            await using var provider = VmCommand.CreateProvider(parseResult.InvocationConfiguration.Error, options);
            if (provider is null)
            {
                return 2;
            }

            output.WriteLine($"podvm bench boot: {count} runs each, {provider.Accelerator}{(provider.Accelerator == Accelerator.Tcg ? $" tb-size={QemuLaunchSpec.DefaultTcgTranslationBufferMiB} MiB, -cpu {QemuCommandLine.TcgCpu}" : string.Empty)}, -M pc, {vcpuCount} vCPU, {memoryMiB} MiB, kernel {manifest.Kernel.Package} (PVH vmlinux), cmdline '{pvh.CommandLine}'; load average {LoadAverage()}");
            var bare = new List<double>();
            var bareUptime = new List<double>();
            var ours = new List<double>();
            var guestUptime = new List<double>();
            var rss = new List<long>();
            var anon = new List<long>();
            try
            {
                for (var i = 1; i <= count; i++)
                {
                    var (bareSeconds, bareGuestSeconds) = await BootBareAsync(provider.Accelerator, Path.Combine(imageDirectory, pvh.Kernel), bareInitrd, pvh.CommandLine, vcpuCount, memoryMiB, Path.Combine(work, $"bare-{i}"), cancellationToken);
                    bare.Add(bareSeconds);
                    if (bareGuestSeconds is { } marked)
                    {
                        bareUptime.Add(marked);
                    }

                    // The request, user data included (a forwarder certificate issued here, as the adaptor issues
                    // one before it calls the provider), is made before the clock starts: the measure is the
                    // provider's create to guest ready. Its time is printed beside each run.
                    var preparing = Stopwatch.StartNew();
                    var request = new CreateInstanceRequest
                    {
                        SandboxId = $"bench-{Environment.ProcessId}-{i}",
                        InstanceName = $"podvm-bench-{i}",
                        InstanceType = new InstanceType("bench", vcpuCount, memoryMiB),
                        UserData = StandaloneUserData.Create($"podvm-bench-{i}", $"bench-{i}"),
                        Tags = new Dictionary<string, string>(StringComparer.Ordinal) { [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue },
                    };
                    var prepareSeconds = preparing.Elapsed.TotalSeconds;
                    var stopwatch = Stopwatch.StartNew();
                    var instance = await provider.CreateInstanceAsync(request, cancellationToken);
                    ours.Add(stopwatch.Elapsed.TotalSeconds);
                    if (provider.SideChannel(instance.Id)?.Ready is { IsCompletedSuccessfully: true } ready
                        && double.TryParse(await ready, NumberStyles.Float, CultureInfo.InvariantCulture, out var uptime))
                    {
                        guestUptime.Add(uptime);
                    }

                    await Task.Delay(TimeSpan.FromSeconds(parseResult.GetValue(idle)), cancellationToken);
                    if (provider.ProcessId(instance.Id) is { } pid && HostProcess.ResidentKiB(pid) is { } kib)
                    {
                        rss.Add(kib);
                        if (HostProcess.AnonymousKiB(pid) is { } anonymous)
                        {
                            anon.Add(anonymous);
                        }
                    }

                    await provider.DeleteInstanceAsync(instance.Id, cancellationToken);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {i}: bare kernel to init marker {bareSeconds:F2} s (guest uptime {bareGuestSeconds ?? double.NaN:F2} s); pod VM create-to-ready {ours[^1]:F2} s (user data made before, in {prepareSeconds:F3} s; guest uptime at ready {(guestUptime.Count > 0 ? guestUptime[^1] : double.NaN):F2} s); QEMU RSS idle {(rss.Count > 0 ? rss[^1] / 1024.0 : double.NaN):F1} MiB (private {(anon.Count > 0 ? anon[^1] / 1024.0 : double.NaN):F1} MiB)"));
                }
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }

            var bareMedian = BenchTable.Median(bare);
            var oursMedian = BenchTable.Median(ours);
            var rssMiB = rss.Select(v => v / 1024.0).ToList();
            var anonMiB = anon.Select(v => v / 1024.0).ToList();
            output.WriteLine();
            output.WriteLine("| measure | median | runs |");
            output.WriteLine("|---|---|---|");
            output.WriteLine(BenchTable.Row("bare kernel, launch to trivial-init marker", bare));
            output.WriteLine(BenchTable.Row("pod VM, create to guest ready (provider API)", ours));
            if (bareUptime.Count > 0)
            {
                output.WriteLine(BenchTable.Row("bare kernel, guest uptime at the marker", bareUptime));
            }

            if (guestUptime.Count > 0)
            {
                output.WriteLine(BenchTable.Row("pod VM, guest uptime when /init reports ready", guestUptime));
            }

            if (rss.Count > 0)
            {
                output.WriteLine(BenchTable.Row($"QEMU RSS per idle pod VM ({memoryMiB} MiB guest)", rssMiB, "MiB", "F1"));
                output.WriteLine(BenchTable.Row("QEMU private memory (RssAnon: RSS without the image's shared page cache)", anonMiB, "MiB", "F1"));
            }

            output.WriteLine($"load average at the end: {LoadAverage()}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overhead of the pod VM over the bare kernel: {(oursMedian / bareMedian - 1) * 100:F0}% (goal <= 30%)"));
            if (rss.Count > 0)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"host cost per idle VM: RSS {BenchTable.Median(rssMiB):F1} MiB, private {BenchTable.Median(anonMiB):F1} MiB (goal <= guest RAM + 64 = {memoryMiB + 64} MiB)"));
            }

            return 0;
        });
        return new Command("bench", "Benchmarks of local mode (not tests).") { boot, BenchProxyCommand.Create(), BenchPodCommand.Create(), BenchGuestCommand.Create() };
    }

    /// <summary>
    /// Seconds from launching QEMU to the trivial init's marker on the console, and the guest's uptime the marker
    /// carries (the difference is QEMU's start and the host's polling, which the pod VM pays too).
    /// </summary>
    private static async Task<(double Seconds, double? GuestUptime)> BootBareAsync(Accelerator accelerator, string kernel, string initrd, string commandLine, int vcpus, int memoryMiB, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var console = Path.Combine(directory, "console.log");
        var spec = new QemuLaunchSpec
        {
            Accelerator = accelerator,
            VCpus = vcpus,
            MemoryMiB = memoryMiB,
            Kernel = kernel,
            Initrd = initrd,
            CommandLine = commandLine,
            ConsoleLog = console,
            QmpSocket = Path.Combine(directory, "qmp.sock"),
            SideChannelSocket = Path.Combine(directory, "side.sock"),
            PidFile = Path.Combine(directory, "qemu.pid"),
            HostForwardPort = new LocalKvmProvider.Networking.LoopbackPortAllocator().Reserve(),
        };
        var stopwatch = Stopwatch.StartNew();
        using var process = await QemuLauncher.LaunchAsync(spec, Path.Combine(directory, "qemu.log"), cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(3));
        string? markerLine;
        while ((markerLine = File.Exists(console) ? BareMarkerLine(await File.ReadAllTextAsync(console, deadline.Token)) : null) is null)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The bare kernel exited without its marker; console log {console}");
            }

            await Task.Delay(10, deadline.Token);
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        var uptime = double.TryParse(markerLine.AsSpan(BareMarker.Length).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var u) ? u : (double?)null;
        await Task.WhenAny(process.Exited, Task.Delay(TimeSpan.FromSeconds(10), cancellationToken));
        process.Kill();
        return (seconds, uptime);
    }

    private const string BareMarker = "PODVM_BARE_READY";

    /// <summary>
    /// The bare init's whole marker line ("PODVM_BARE_READY &lt;uptime&gt;") once the console has its line end: the
    /// serial console writes it a byte at a time, so the marker alone may arrive before the uptime does.
    /// </summary>
    private static string? BareMarkerLine(string console)
    {
        var start = console.IndexOf(BareMarker, StringComparison.Ordinal);
        var end = start < 0 ? -1 : console.IndexOf('\n', start);
        return end < 0 ? null : console[start..end];
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
