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
                await Console.Error.WriteLineAsync($"{Name}: run as one of {string.Join(", ", Programs)} (a link to this binary), or as '{Name} <program> [arguments]'.").ConfigureAwait(false);
                return 2;
            }

            name = args[0];
            args = args[1..];
        }

        return name switch
        {
            "podvm-attester" => await AttesterProgram.RunAsync(args).ConfigureAwait(false),
            "podvm-config-processor" => await ForwarderProgram.RunConfigProcessorAsync(args).ConfigureAwait(false),
            "podvm-forwarder" => await ForwarderProgram.RunAsync(args).ConfigureAwait(false),
            "podvm-guest-agent" => await GuestAgentProgram.RunAsync(args).ConfigureAwait(false),
            _ => await UnknownAsync(name).ConfigureAwait(false),
        };
    }

    private static async Task<int> UnknownAsync(string name)
    {
        await Console.Error.WriteLineAsync($"{Name}: '{name}' is not a program of this binary; it runs as {string.Join(", ", Programs)}.").ConfigureAwait(false);
        return 2;
    }
}
