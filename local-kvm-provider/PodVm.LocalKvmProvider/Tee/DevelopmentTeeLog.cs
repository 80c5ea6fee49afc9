using Microsoft.Extensions.Logging;

namespace PodVm.LocalKvmProvider.Tee;

/// <summary>Logging for the development TEE; event ids 3100-3119.</summary>
internal static partial class DevelopmentTeeLog
{
    [LoggerMessage(3100, LogLevel.Warning, "DEVELOPMENT TEE ENABLED: local pod VMs get launch reports signed by the platform key {KeyFile} (public half {PublicKeyFile}). It gives NO protection from this host; never trust it for production secrets.")]
    public static partial void Enabled(ILogger logger, string keyFile, string publicKeyFile);

    [LoggerMessage(3101, LogLevel.Information, "VM {InstanceId}: development TEE report signed")]
    public static partial void ReportSigned(ILogger logger, string instanceId);

    [LoggerMessage(3102, LogLevel.Warning, "VM {InstanceId}: development TEE report refused: {Reason}")]
    public static partial void ReportRefused(ILogger logger, string instanceId, string reason);
}
