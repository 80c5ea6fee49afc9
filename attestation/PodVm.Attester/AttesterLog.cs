using Microsoft.Extensions.Logging;

namespace PodVm.Attester;

/// <summary>podvm-attester's log messages (event ids 7000-7099). Never a secret, key, token or whole evidence.</summary>
internal static partial class AttesterLog
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "podvm-attester listening on http://{Endpoint}: TEE {Tee}, KBS {Kbs}")]
    public static partial void Started(ILogger logger, string endpoint, string tee, string kbs);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "no KBS: {Reason}")]
    public static partial void NoKbs(ILogger logger, string reason);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "no TEE evidence provider found (no configfs-tsm, /dev/sev-guest or side channel); resource requests will fail")]
    public static partial void NoTee(ILogger logger);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "attesting to {KbsUrl} with {Tee} evidence")]
    public static partial void Attesting(ILogger logger, string tee, Uri kbsUrl);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "attested ({Tee}) in {ElapsedMs:0} ms; token valid until {ExpiresAt:u}")]
    public static partial void Attested(ILogger logger, string tee, double elapsedMs, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "the KBS refused the {Tee} evidence: {Reason}")]
    public static partial void AttestationRefused(ILogger logger, string tee, string reason);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Information, Message = "the KBS no longer accepts the session ({Variant}); attesting again")]
    public static partial void Reattesting(ILogger logger, string variant);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Information, Message = "{Method} {Path} -> {Status} ({Size} bytes, {ElapsedMs:0} ms)")]
    public static partial void Request(ILogger logger, string method, string path, int status, int size, double elapsedMs);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Warning, Message = "accept failed: {Message}")]
    public static partial void AcceptFailed(ILogger logger, string message);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Warning, Message = "initdata {Path} is not usable, attesting without init-data: {Message}")]
    public static partial void InitDataUnusable(ILogger logger, string path, string message);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "podvm-attester stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Information, Message = "vTPM {Device}: initdata PCR8 {Binding}; attestation key sha256 {AkDigest}")]
    public static partial void VtpmReady(ILogger logger, string device, string binding, string akDigest);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Warning, Message = "vTPM {Device} is not usable, attesting without it: {Message}")]
    public static partial void VtpmUnusable(ILogger logger, string device, string message);
}
