using PodVm.GuestAgent.Networking;
using PodVm.GuestAgent.Policy;
using PodVm.GuestAgent.Runtime;
using PodVm.GuestAgent.Services;
using PodVm.GuestHosting;
using PodVm.Protocols.Ttrpc;

namespace PodVm.GuestAgent;

/// <summary>
/// The guest agent's program (<c>podvm-guest-agent</c>): the Kata agent API over ttrpc. Called by this project's
/// Program.cs and by the multi-call guest binary (PodVm.GuestMultiCall).
/// </summary>
public static class GuestAgentProgram
{
    /// <summary>Parses the command line, serves the agent API until SIGTERM or SIGINT, and returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        AgentOptions options;
        try
        {
            options = AgentCommandLine.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync("podvm-guest-agent: " + ex.Message).ConfigureAwait(false);
            return 2;
        }

        return await StartupNotifier.RunAsync(options.NotifyPath, "podvm-guest-agent", notifier => ServeAsync(options, notifier)).ConfigureAwait(false);
    }

    private static async Task<int> ServeAsync(AgentOptions options, StartupNotifier? notifier)
    {
        using var loggerFactory = GuestConsoleLoggerFactory.ForStandardOutput("podvm-guest-agent");
        var logger = loggerFactory.CreateLogger(AgentLog.Category);

        if (!ProcessReaper.BecomeSubreaper())
        {
            AgentLog.NoSubreaper(logger);
        }

        var policy = new PolicyEngine();
        if (File.Exists(options.PolicyFile))
        {
            try
            {
                // Synchronous: an asynchronous read before ready starts the thread pool's threads (see UserDataSource).
                policy.Set(PolicyEngine.Parse(File.ReadAllText(options.PolicyFile)));
                AgentLog.PolicySetAtStart(loggerFactory, options.PolicyFile);
            }
            catch (PolicyException ex)
            {
                await Console.Error.WriteLineAsync($"podvm-guest-agent: policy file {options.PolicyFile}: {ex.Message}").ConfigureAwait(false);
                return 2;
            }
        }
        else
        {
            AgentLog.NoPolicyAtStart(loggerFactory);
        }

        Directory.CreateDirectory(options.StateDirectory);
        Directory.CreateDirectory(options.ContainersRoot);
        using var containers = new ContainerManager(options, policy, logger);
        await using var server = new TtrpcServer(new TtrpcServerOptions { LogListening = false }, loggerFactory);
        AgentServiceBinding.BindAgent(server, new AgentServiceImpl(containers, policy, new NetworkConfigurator(options.IpPath), logger));
        AgentServiceBinding.BindHealth(server, new HealthServiceImpl());

        var endpoint = TtrpcEndpoint.Parse(options.Listen);
        if (endpoint.UnixPath is { } socketPath)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!);
            File.Delete(socketPath);
        }

        using var stop = new StopSignal();

        await server.StartAsync(endpoint, stop.Token).ConfigureAwait(false);
        // Not Enum.ToString(): in a NativeAOT program that reads the enum's names through reflection metadata, code
        // that QEMU TCG would translate before the pod VM is ready, for one word in a log line.
        var cgroupVersion = containers.Cgroups.Version switch
        {
            Cgroups.CgroupVersion.V1 => "V1",
            _ => "V2",
        };
        var endpointText = endpoint.ToString();
        AgentLog.ListeningAtStart(loggerFactory, endpointText, cgroupVersion);
        notifier?.Notify(StartupNotifier.Ready);
        notifier?.Dispose();
        await stop.WaitAsync().ConfigureAwait(false);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await server.StopAsync(grace.Token).ConfigureAwait(false);
        return 0;
    }
}
