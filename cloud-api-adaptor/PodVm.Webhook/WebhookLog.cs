using Microsoft.Extensions.Logging;

namespace PodVm.Webhook;

/// <summary>Source-generated log messages of the webhook (event ids 9100-9199).</summary>
internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 9100, Level = LogLevel.Information, Message = "Webhook listening on {Address} for runtime class {RuntimeClassName}")]
    public static partial void Listening(ILogger logger, string address, string runtimeClassName);

    [LoggerMessage(EventId = 9101, Level = LogLevel.Debug, Message = "Pod {Namespace}/{PodName} is not of the PodVm runtime class; left unchanged")]
    public static partial void PodSkipped(ILogger logger, string @namespace, string podName);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Information, Message = "Pod {Namespace}/{PodName} mutated with {OperationCount} patch operations")]
    public static partial void PodMutated(ILogger logger, string @namespace, string podName, int operationCount);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Warning, Message = "Pod {Namespace}/{PodName} denied: {Reason}")]
    public static partial void PodDenied(ILogger logger, string @namespace, string podName, string reason);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Warning, Message = "Rejected a malformed admission request: {Reason}")]
    public static partial void BadRequest(ILogger logger, string reason);

    [LoggerMessage(EventId = 9105, Level = LogLevel.Information, Message = "Loaded the webhook certificate {Subject} (expires {NotAfter:O}) from {Path}")]
    public static partial void CertificateLoaded(ILogger logger, string subject, DateTime notAfter, string path);

    [LoggerMessage(EventId = 9106, Level = LogLevel.Error, Message = "Could not reload the webhook certificate from {Path}; keeping the previous one")]
    public static partial void CertificateReloadFailed(ILogger logger, string path, Exception exception);
}
