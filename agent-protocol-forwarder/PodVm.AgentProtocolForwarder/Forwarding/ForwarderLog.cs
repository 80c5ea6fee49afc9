using Microsoft.Extensions.Logging;

namespace PodVm.AgentProtocolForwarder.Forwarding;

/// <summary>Source-generated log messages of the forwarder and config processor (event ids 4100-4199).</summary>
internal static partial class ForwarderLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Forwarder listening on {Endpoint} (TLS {Tls}), relaying to {AgentSocket}")]
    public static partial void Listening(ILogger logger, string endpoint, bool tls, string agentSocket);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Connection from {Peer} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Connection from {Peer} closed")]
    public static partial void Closed(ILogger logger, string peer);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Agent unavailable for {Peer}: {Reason}")]
    public static partial void AgentUnavailable(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "TLS IS DISABLED: the forwarder accepts any peer (testing only)")]
    public static partial void TlsDisabled(ILogger logger);
}
