using PodVm.AgentProtocolForwarder;
using PodVm.Attester;
using PodVm.GuestAgent;

namespace PodVm.GuestMultiCall;

/// <summary>
/// Chooses the guest program by the name the binary was invoked as (the file name of argv[0], as busybox does), or,
/// invoked as <c>podvm-guest</c>, by its first argument (<c>podvm-guest podvm-attester --help</c>).
/// </summary>
internal static class GuestMultiCall
{
    public const string Name = "podvm-guest";

    /// <summary>The names this binary answers to; the image links each to it in /usr/bin.</summary>
    public static readonly IReadOnlyList<string> Programs = ["podvm-attester", "podvm-config-processor", "podvm-forwarder", "podvm-guest-agent"];

    public static async Task<int> RunAsync(string argv0, string[] args)
    {
        var name = Path.GetFileName(argv0);
        if (name == Name)
        {
            if (args.Length == 0 || !Programs.Contains(args[0], StringComparer.Ordinal))
            {
                await Console.Error.WriteLineAsync($"{Name}: run as one of {string.Join(", ", Programs)} (a link to this binary), or as '{Name} <program> [arguments]'; 'podvm-forwarder {WithAgent} FORWARDER-ARGS -- AGENT-ARGS' runs the guest agent in the forwarder's process.").ConfigureAwait(false);
                return 2;
            }

            name = args[0];
            args = args[1..];
        }

        return name switch
        {
            "podvm-attester" => await AttesterProgram.RunAsync(args).ConfigureAwait(false),
            "podvm-config-processor" => await ForwarderProgram.RunConfigProcessorAsync(args).ConfigureAwait(false),
            "podvm-forwarder" when args is [WithAgent, ..] => await RunForwarderWithAgentAsync(args[1..]).ConfigureAwait(false),
            "podvm-forwarder" => await ForwarderProgram.RunAsync(args).ConfigureAwait(false),
            "podvm-guest-agent" => await GuestAgentProgram.RunAsync(args).ConfigureAwait(false),
            _ => await UnknownAsync(name).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// <c>podvm-forwarder -with-agent FORWARDER-ARGS -- AGENT-ARGS</c>: the forwarder and the guest agent in one
    /// process, the agent started once the forwarder has processed the user data (it reads the policy the config
    /// processor wrote). Each still reports on its own notify FIFO and serves its own endpoint (the forwarder relays to
    /// the agent's socket as before). Under QEMU TCG a second .NET process start is tens of milliseconds of the pod
    /// VM's boot, and the two share no isolation worth it: both run as root in the VM, and the pod is dead without
    /// either.
    /// </summary>
    internal static async Task<int> RunForwarderWithAgentAsync(string[] args)
    {
        var separator = Array.IndexOf(args, "--");
        var forwarderArgs = separator < 0 ? args : args[..separator];
        var agentArgs = separator < 0 ? [] : args[(separator + 1)..];
        Task<int>? agent = null;
        var forwarder = await ForwarderProgram.RunAsync(forwarderArgs, beforeListening: () =>
        {
            agent = GuestAgentProgram.RunAsync(agentArgs);
            // An exception the agent does not handle ends the process, as it would end the agent's own.
            _ = agent.ContinueWith(
                static t =>
                {
                    Console.Error.WriteLine($"podvm-guest-agent: unhandled: {t.Exception!.InnerException}");
                    Environment.Exit(70);
                },
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }).ConfigureAwait(false);
        if (forwarder != 0 || agent is null)
        {
            // The forwarder failed (and said why): the process exits, and the agent with it.
            return forwarder;
        }

        // Stopped by SIGTERM/SIGINT, which the agent got too: it finishes its calls (up to its own grace period).
        try
        {
            return await agent.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync("podvm-forwarder: the guest agent did not stop within 10 s of the forwarder").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The first argument of <c>podvm-forwarder</c> that starts the guest agent in the same process.</summary>
    public const string WithAgent = "-with-agent";

    private static async Task<int> UnknownAsync(string name)
    {
        await Console.Error.WriteLineAsync($"{Name}: '{name}' is not a program of this binary; it runs as {string.Join(", ", Programs)}.").ConfigureAwait(false);
        return 2;
    }
}
