using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.LocalKvmProvider;
using PodVm.LocalKvmProvider.Provider;

namespace PodVm.Cli.Commands;

/// <summary><c>podvm vm create|list|logs|delete</c>: local pod VMs by hand, for debugging images.</summary>
internal static class VmCommand
{
    public static Command Create()
    {
        var image = new Option<string>("--image") { Description = $"Image directory (default {PodVmPaths.DefaultImage})." };
        var vcpus = new Option<int>("--vcpus") { Description = "vCPUs.", DefaultValueFactory = _ => 1 };
        var memory = new Option<int>("--memory") { Description = "Memory in MiB.", DefaultValueFactory = _ => 256 };
        var userData = new Option<string>("--user-data") { Description = "File delivered to the guest as /run/peerpod/userdata (default: a configuration like the adaptor's, forwarder certificate from $PODVM_HOME/vm-ca)." };
        var tpm = new Option<bool>("--tpm") { Description = "Attach a vTPM (swtpm; the image's bzImage on q35, as for a pod annotated io.podvm.tpm)." };
        var create = new Command("create", "Boot a pod VM from the image and wait until its /init reports ready.") { image, vcpus, memory, userData, tpm };
        create.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            await using var provider = CreateProvider(parseResult.InvocationConfiguration.Error);
            if (provider is null)
            {
                return 2;
            }

            var sandbox = "cli-" + Guid.NewGuid().ToString("N")[..12];
            var request = new CreateInstanceRequest
            {
                SandboxId = sandbox,
                InstanceName = "podvm-" + sandbox,
                InstanceType = new InstanceType("cli", parseResult.GetValue(vcpus), parseResult.GetValue(memory)),
                Image = parseResult.GetValue(image),
                Tpm = parseResult.GetValue(tpm),
                UserData = parseResult.GetValue(userData) is { } file ? await File.ReadAllBytesAsync(file, cancellationToken) : StandaloneUserData.Create("podvm-" + sandbox, sandbox),
                Tags = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [InstanceTags.ManagedBy] = InstanceTags.ManagedByValue,
                    [InstanceTags.SandboxId] = sandbox,
                },
            };
            var stopwatch = Stopwatch.StartNew();
            try
            {
                var instance = await provider.CreateInstanceAsync(request, cancellationToken);
                output.WriteLine($"{instance.Id} ready in {stopwatch.Elapsed.TotalSeconds:F2} s ({provider.Accelerator}); forwarder endpoint {instance.Addresses[0]}");
                output.WriteLine($"  console log: {provider.ConsoleLogPath(instance.Id)}");
                output.WriteLine($"  delete with: podvm vm delete {instance.Id}");
                return 0;
            }
            catch (ProviderException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"podvm vm create: {e.Reason}: {e.Message}");
                return 1;
            }
        });

        var list = new Command("list", "List the local pod VMs (adopting running ones, cleaning up dead ones).");
        list.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            await using var provider = CreateProvider(parseResult.InvocationConfiguration.Error);
            if (provider is null)
            {
                return 2;
            }

            var instances = await provider.ListInstancesAsync(new Dictionary<string, string>(), cancellationToken);
            output.WriteLine($"{"ID",-16} {"STATE",-11} {"ADDRESS",-22} {"TYPE",-14} {"PID",-8} {"CREATED",-20} NAME");
            foreach (var instance in instances)
            {
                var pid = provider.ProcessId(instance.Id)?.ToString(CultureInfo.InvariantCulture) ?? "-";
                output.WriteLine($"{instance.Id,-16} {instance.State,-11} {instance.Addresses[0],-22} {instance.InstanceTypeName,-14} {pid,-8} {instance.CreatedAt?.ToString("u", CultureInfo.InvariantCulture),-20} {instance.Name}");
            }

            return 0;
        });

        var logsId = new Argument<string>("id") { Description = "VM id (vm-...)." };
        var logs = new Command("logs", "Print a VM's serial console log (also for deleted VMs within the log retention).") { logsId };
        logs.SetAction(async (parseResult, cancellationToken) =>
        {
            var id = parseResult.GetValue(logsId)!;
            var options = new LocalKvmProviderOptions();
            var live = Path.Combine(options.StateDirectory, id, "console.log");
            var path = File.Exists(live)
                ? live
                : Directory.Exists(options.LogDirectory)
                    ? Directory.GetFiles(options.LogDirectory, id + "-*.console.log").Order(StringComparer.Ordinal).LastOrDefault()
                    : null;
            if (path is null)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"podvm vm logs: no console log for {id} in {options.StateDirectory} or {options.LogDirectory}.");
                return 1;
            }

            parseResult.InvocationConfiguration.Output.Write(await File.ReadAllTextAsync(path, cancellationToken));
            return 0;
        });

        var deleteId = new Argument<string>("id") { Description = "VM id (vm-...)." };
        var delete = new Command("delete", "Power off (then quit, then kill) a VM and remove its directory, sockets and port.") { deleteId };
        delete.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var provider = CreateProvider(parseResult.InvocationConfiguration.Error);
            if (provider is null)
            {
                return 2;
            }

            var id = parseResult.GetValue(deleteId)!;
            var stopwatch = Stopwatch.StartNew();
            var existed = await provider.DeleteInstanceAsync(id, cancellationToken);
            parseResult.InvocationConfiguration.Output.WriteLine(existed ? $"{id} deleted in {stopwatch.Elapsed.TotalSeconds:F2} s" : $"{id} does not exist");
            return 0;
        });

        return new Command("vm", "Local pod VMs under QEMU: create, list, logs, delete.") { create, list, logs, delete };
    }

    /// <summary>The local provider with default options (under $PODVM_HOME), validated; null after printing why not.</summary>
    internal static LocalKvmProvider.Provider.LocalKvmProvider? CreateProvider(TextWriter error, LocalKvmProviderOptions? options = null)
    {
        options ??= new LocalKvmProviderOptions();
        var validation = new LocalKvmProviderOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            error.WriteLine($"podvm: invalid local provider settings: {validation.FailureMessage}");
            return null;
        }

        return new LocalKvmProvider.Provider.LocalKvmProvider(Options.Create(options));
    }
}
