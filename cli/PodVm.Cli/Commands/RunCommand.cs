using System.CommandLine;
using System.Globalization;
using PodVm.Cli.Kbs;
using PodVm.Cli.Run;
using PodVm.LocalKvmProvider;
using PodVm.LocalKvmProvider.Image;
using PodVm.LocalKvmProvider.Keys;
using PodVm.Protocols.Ttrpc;

namespace PodVm.Cli.Commands;

/// <summary>
/// <c>podvm run IMAGE -- CMD...</c>: PodVm's main job, as `docker run` is Docker's. Starts an adaptor with the local
/// provider in this process (or uses a running one), plays the Kata shim's part for one pod, streams the
/// container's output, prints a timing breakdown on stderr, and exits with the container's exit code.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "Container image, from those the pod VM image carries (e.g. busybox)." };
        var command = new Argument<string[]>("command") { Description = "The command and its arguments (after --).", Arity = ArgumentArity.OneOrMore };
        var adaptor = new Option<string?>("--adaptor") { Description = "Use a running adaptor at this hypervisor socket (unix:///run/peerpod/hypervisor.sock) instead of starting one." };
        var env = new Option<string[]>("--env", "-e") { Description = "Environment variable KEY=VALUE for the container (repeatable)." };
        var vcpus = new Option<int>("--vcpus") { Description = "vCPUs the pod asks for (default_vcpus)." };
        var memory = new Option<int>("--memory") { Description = "Memory in MiB the pod asks for (default_memory)." };
        var limit = new Option<long>("--memory-limit") { Description = "The container's cgroup memory limit in MiB (0 = none)." };
        var instanceType = new Option<string?>("--instance-type") { Description = "Instance type (machine_type annotation), e.g. local.medium." };
        var podVmImage = new Option<string?>("--podvm-image") { Description = "Pod VM image directory (output of `podvm image build`); default: the provider's." };
        var keep = new Option<bool>("--keep") { Description = "Leave the pod VM running afterwards (see `podvm vm list`)." };
        var attest = new Option<bool>("--attest")
        {
            Description = "Attested pod: start a key broker on loopback with a demo secret, boot the VM with the local DEVELOPMENT TEE "
                + $"(no protection from this host), and let the container fetch the secret from http://127.0.0.1:8006/cdh/resource/{DemoKbs.SecretPath}.",
        };
        var tpm = new Option<bool>("--tpm")
        {
            Description = "Give the pod VM a vTPM (swtpm on this host; q35 + bzImage boot). With --attest the guest binds its initdata into "
                + "PCR8 and the key broker releases the secret only with a quote that verifies and shows that binding.",
        };
        var timeout = new Option<string>("--timeout") { Description = "How long the VM may take to boot (StartVM deadline).", DefaultValueFactory = _ => "10m" };

        var run = new Command("run", "Run a container in a pod VM of its own and stream its output; exits with the container's exit code.")
        {
            image, command, adaptor, env, vcpus, memory, limit, instanceType, podVmImage, keep, attest, timeout, tpm,
        };
        run.SetAction(async (parseResult, cancellationToken) =>
        {
            var stderr = parseResult.InvocationConfiguration.Error;
            if (!DurationParser.TryParse(parseResult.GetValue(timeout)!, out var startTimeout) || startTimeout <= TimeSpan.Zero)
            {
                await stderr.WriteLineAsync($"--timeout: '{parseResult.GetValue(timeout)}' is not a positive duration (e.g. 90s, 10m)");
                return 2;
            }

            var request = new RunRequest
            {
                Image = parseResult.GetValue(image)!,
                Command = parseResult.GetValue(command)!,
                Environment = parseResult.GetValue(env) ?? [],
                VCpus = parseResult.GetValue(vcpus),
                MemoryMiB = parseResult.GetValue(memory),
                MemoryLimitMiB = parseResult.GetValue(limit),
                InstanceType = parseResult.GetValue(instanceType),
                ImageDirectory = parseResult.GetValue(podVmImage),
                Keep = parseResult.GetValue(keep),
                StartTimeout = startTimeout,
                Tpm = parseResult.GetValue(tpm),
            };

            var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
            if (parseResult.GetValue(attest))
            {
                if (parseResult.GetValue(adaptor) is not null)
                {
                    await stderr.WriteLineAsync("--attest starts its own adaptor with the development TEE; it cannot be combined with --adaptor");
                    return 2;
                }

                return await RunAttestedAsync(request, stdout, stderr, cancellationToken);
            }

            if (parseResult.GetValue(adaptor) is { } address)
            {
                if (!TtrpcEndpoint.TryParse(address, out var endpoint, out var error))
                {
                    await stderr.WriteLineAsync($"--adaptor: {error}");
                    return 2;
                }

                return await RunSessionAsync(endpoint, request, stdout, stderr, cancellationToken);
            }

            return await RunWithInProcessAdaptorAsync(request, stdout, stderr, cancellationToken);
        });
        return run;
    }

    private static async Task<int> RunAttestedAsync(RunRequest request, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var platformKey = PodVmPaths.PlatformKey;
        using (EcKeyFile.LoadOrCreateP384(platformKey))
        {
            // Made now (the provider would make it at start) so the KBS can be told to trust its public half.
        }

        var signer = EcKeyFile.PublicKeyFile(ReferenceValueExport.DefaultSigningKeyFile);
        if (!File.Exists(signer))
        {
            await stderr.WriteLineAsync($"{signer} does not exist: run 'podvm image build' first (it makes the key that signs the image's reference values).");
            return 2;
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        DemoKbs kbs;
        try
        {
            kbs = await DemoKbs.StartAsync(Path.GetFullPath(request.ImageDirectory ?? PodVmPaths.DefaultImage), EcKeyFile.PublicKeyFile(platformKey), signer, cancellationToken, request.Tpm);
        }
        catch (KbsAdminException ex)
        {
            await stderr.WriteLineAsync($"podvm run --attest: {ex.Message}");
            return 125;
        }

        await using (kbs)
        {
            await stderr.WriteLineAsync($"WARNING: DEVELOPMENT TEE: the pod VM's launch report is signed by this host's key ({platformKey}); it proves the attestation path works, not that the host cannot read the VM.");
            await stderr.WriteLineAsync($"key broker: {kbs.HostUrl} (guest: https://{DemoKbs.GuestHostAddress}:{kbs.HostUrl.Port}); secret {DemoKbs.SecretPath}, sha256 {Convert.ToHexStringLower(kbs.SecretSha256)}");
            var attested = request with { InitData = kbs.InitData };
            return await RunWithInProcessAdaptorAsync(attested, stdout, stderr, cancellationToken, developmentTee: true, [("start key broker", watch.Elapsed)]);
        }
    }

    internal static async Task<int> RunWithInProcessAdaptorAsync(
        RunRequest request, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken,
        bool developmentTee = false, IReadOnlyList<(string Step, TimeSpan Elapsed)>? earlierSteps = null)
    {
        var runtime = Directory.CreateTempSubdirectory("podvm-run-").FullName;
        var socket = Path.Combine(runtime, "hypervisor.sock");
        var extra = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (developmentTee)
        {
            extra["LocalKvm:DevelopmentTee"] = "true";
            extra["LocalKvm:PlatformKeyFile"] = PodVmPaths.PlatformKey;
        }

        var app = await InProcessAdaptor.StartAsync(runtime, socket, $"podvm-run-{Environment.ProcessId}", extra, stderr, cancellationToken);
        if (app is null)
        {
            Directory.Delete(runtime, recursive: true);
            return 2;
        }

        try
        {
            return await RunSessionAsync(TtrpcEndpoint.Unix(socket), request, stdout, stderr, cancellationToken, earlierSteps);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            Directory.Delete(runtime, recursive: true);
        }
    }

    private static async Task<int> RunSessionAsync(
        TtrpcEndpoint hypervisor, RunRequest request, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken,
        IReadOnlyList<(string Step, TimeSpan Elapsed)>? earlierSteps = null)
    {
        var session = new ShimSession(hypervisor, request, stdout, stderr);
        try
        {
            return await session.RunAsync(cancellationToken);
        }
        catch (Grpc.Core.RpcException ex)
        {
            await stderr.WriteLineAsync($"podvm run: {ex.StatusCode}: {ex.Status.Detail}");
            return 125;
        }
        finally
        {
            await stderr.WriteLineAsync("timings:");
            foreach (var (step, elapsed) in (earlierSteps ?? []).Concat(session.Timings))
            {
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {step,-30} {elapsed.TotalSeconds,8:0.000}s"));
            }
        }
    }
}
