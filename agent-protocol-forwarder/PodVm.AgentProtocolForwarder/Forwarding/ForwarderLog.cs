using Microsoft.Extensions.Logging;
using PodVm.GuestHosting;

namespace PodVm.AgentProtocolForwarder.Forwarding;

/// <summary>Source-generated log messages of the forwarder and config processor (event ids 4100-4199).</summary>
internal static partial class ForwarderLog
{
    /// <summary>The category of the forwarder's lines.</summary>
    public const string Category = "PodVm.AgentProtocolForwarder.Forwarding.AgentForwarder";

    // The lines of the start, before the forwarder reports ready, go straight to the console (see
    // GuestConsoleLoggerFactory.WriteLine for why); event ids and texts are as if they were logged.
    public static void ListeningAtStart(GuestConsoleLoggerFactory console, string endpoint, bool tls, string agentSocket) =>
        console.WriteLine(LogLevel.Information, Category, 4100, $"Forwarder listening on {endpoint} (TLS {(tls ? "True" : "False")}), relaying to {agentSocket}");

    public static void TlsDisabledAtStart(GuestConsoleLoggerFactory console) =>
        console.WriteLine(LogLevel.Warning, Category, 4104, "TLS IS DISABLED: the forwarder accepts any peer (testing only)");

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Connection from {Peer} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Connection from {Peer} closed")]
    public static partial void Closed(ILogger logger, string peer);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Agent unavailable for {Peer}: {Reason}")]
    public static partial void AgentUnavailable(ILogger logger, string peer, string reason);

}
