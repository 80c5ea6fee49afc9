using Microsoft.Extensions.Logging;

namespace PodVm.Protocols.Ttrpc;

/// <summary>Log messages of the ttrpc library; event ids 1000-1099 belong to PodVm.Protocols.</summary>
internal static partial class TtrpcLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Warning, Message = "ttrpc client connection failed ({Reason})")]
    public static partial void ClientConnectionFailed(ILogger logger, TtrpcCloseReason reason);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "ttrpc: unexpected {FrameType} frame on stream {StreamId}")]
    public static partial void UnexpectedFrame(ILogger logger, TtrpcMessageType frameType, uint streamId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "ttrpc server listening on {Endpoint}")]
    public static partial void Listening(ILogger logger, TtrpcEndpoint endpoint);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "ttrpc server connection ended unexpectedly ({Reason})")]
    public static partial void ServerConnectionFailed(ILogger logger, TtrpcCloseReason reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "ttrpc: rejected frame on stream {StreamId}: {Detail}")]
    public static partial void RejectedFrame(ILogger logger, uint streamId, string detail);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "ttrpc handler {Service}/{Method} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string service, string method);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "ttrpc accept on {Endpoint} failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception, TtrpcEndpoint endpoint);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "ttrpc server on {Endpoint} stopping; waiting for {InFlight} call(s) in flight")]
    public static partial void Stopping(ILogger logger, TtrpcEndpoint? endpoint, int inFlight);
}
