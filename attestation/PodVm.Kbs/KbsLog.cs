using Microsoft.Extensions.Logging;

namespace PodVm.Kbs;

/// <summary>KBS log messages (event ids 6100-6199). Never a secret, a token, a key or a whole piece of evidence.</summary>
internal static partial class KbsLog
{
    [LoggerMessage(6100, LogLevel.Information, "KBS session {SessionId} authed for TEE {Tee}")]
    public static partial void SessionAuthed(ILogger logger, string sessionId, string tee);

    [LoggerMessage(6101, LogLevel.Information, "KBS attestation for TEE {Tee}: status {Status}, policy {PolicyId}, findings {Findings}")]
    public static partial void Attested(ILogger logger, string tee, string status, string policyId, string findings);

    [LoggerMessage(6102, LogLevel.Warning, "KBS request {Path} refused: {ErrorType}: {Detail}")]
    public static partial void Refused(ILogger logger, string path, string errorType, string detail);

    [LoggerMessage(6103, LogLevel.Information, "KBS released resource {ResourcePath}")]
    public static partial void Released(ILogger logger, string resourcePath);

    [LoggerMessage(6104, LogLevel.Information, "KBS admin {Action} {Target}")]
    public static partial void Admin(ILogger logger, string action, string target);

    [LoggerMessage(6105, LogLevel.Error, "KBS request {Path} failed unexpectedly")]
    public static partial void Unexpected(ILogger logger, string path, Exception exception);

    [LoggerMessage(6106, LogLevel.Information, "KBS starting: database {DatabasePath}, session timeout {SessionTimeout}, {VerifierCount} verifier(s), gRPC {Grpc}")]
    public static partial void Starting(ILogger logger, string databasePath, TimeSpan sessionTimeout, int verifierCount, bool grpc);
}
