using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using PodVm.CloudApiAdaptor.Hosting;
using PodVm.Kubernetes.Hosting;

namespace PodVm.Cli.Commands;

/// <summary><c>podvm caa serve</c>: the cloud-api-adaptor daemon a Kata shim with hypervisor = "remote" talks to.</summary>
internal static class CaaCommand
{
    public static Command Create()
    {
        var command = new Command("caa", "The cloud-api-adaptor: the node daemon that runs each pod in a VM of its own.");
        var provider = new Option<string>("--provider") { Description = "Where pod VMs run.", DefaultValueFactory = _ => "local" };
        provider.AcceptOnlyFromAmong(AdaptorComposition.Providers);
        var config = new Option<FileInfo?>("--config") { Description = "A JSON settings file (sections Adaptor, LocalKvm, Providers:Aws, Providers:Azure, Kubernetes)." };
        var socket = new Option<string?>("--socket") { Description = "The hypervisor socket (default /run/peerpod/hypervisor.sock)." };
        var stateDir = new Option<string?>("--state-dir") { Description = "Where pod records survive restarts (default /var/lib/podvm/adaptor)." };
        var podsDir = new Option<string?>("--pods-dir") { Description = "Per-pod agent sockets (default /run/peerpod/pods)." };
        var serve = new Command("serve", "Serve hypervisor.Hypervisor and podvminfo.PodVMInfo until stopped (Ctrl+C or SIGTERM); /healthz, /readyz, /metrics on a loopback port.")
        {
            provider, config, socket, stateDir, podsDir,
        };
        serve.SetAction(async (parseResult, cancellationToken) =>
        {
            var name = parseResult.GetValue(provider)!;
            var overrides = AdaptorComposition.ProviderDefaults(name);
            Set(overrides, "Adaptor:SocketPath", parseResult.GetValue(socket));
            Set(overrides, "Adaptor:StateDirectory", parseResult.GetValue(stateDir));
            Set(overrides, "Adaptor:PodsDirectory", parseResult.GetValue(podsDir));
            WebApplication app;
            try
            {
                app = AdaptorHost.Build([], parseResult.GetValue(config)?.FullName, overrides, (services, configuration) =>
                {
                    AdaptorComposition.TryAddProvider(name, services, configuration);

                    // PeerPods, Events, node capacity, controller and sweep when Kubernetes:Enabled (off by default).
                    services.AddPodVmKubernetes(configuration);
                });
                if (StartupValidation.Failures(app.Services) is { Count: > 0 } failures)
                {
                    await parseResult.InvocationConfiguration.Error.WriteLineAsync($"invalid configuration: {string.Join("; ", failures)}");
                    await app.DisposeAsync();
                    return 2;
                }

                await app.StartAsync(cancellationToken);
            }
            catch (Exception ex) when (StartupValidation.FailuresOf(ex) is { } failures)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"invalid configuration: {string.Join("; ", failures)}");
                return 2;
            }
            catch (FileNotFoundException ex)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"--config: {ex.Message}");
                return 2;
            }

            await app.WaitForShutdownAsync(cancellationToken);
            await app.DisposeAsync();
            return 0;
        });
        command.Subcommands.Add(serve);
        return command;
    }

    private static void Set(Dictionary<string, string?> overrides, string key, string? value)
    {
        if (value is not null)
        {
            overrides[key] = value;
        }
    }
}
