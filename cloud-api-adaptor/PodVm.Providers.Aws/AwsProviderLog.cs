using Microsoft.Extensions.Logging;

namespace PodVm.Providers.Aws;

/// <summary>Log messages of the AWS provider (event ids 8100-8199).</summary>
internal static partial class AwsProviderLog
{
    [LoggerMessage(8100, LogLevel.Information, "Launching {InstanceType} for sandbox {SandboxId} (image {ImageId}, confidential {Confidential})")]
    public static partial void Launching(ILogger logger, string sandboxId, string instanceType, string imageId, bool confidential);

    [LoggerMessage(8101, LogLevel.Warning, "No EC2 capacity for {InstanceType} (sandbox {SandboxId}); trying {NextInstanceType}")]
    public static partial void FallingBack(ILogger logger, string sandboxId, string instanceType, string nextInstanceType);

    [LoggerMessage(8102, LogLevel.Information, "Instance {InstanceId} for sandbox {SandboxId} is running at {Address}")]
    public static partial void Running(ILogger logger, string sandboxId, string instanceId, string address);

    [LoggerMessage(8103, LogLevel.Warning, "EC2 {Operation} failed with {Reason} (attempt {Attempt}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string operation, string reason, int attempt, TimeSpan delay);

    [LoggerMessage(8104, LogLevel.Warning, "Create of instance {InstanceId} for sandbox {SandboxId} failed; terminating it")]
    public static partial void CleaningUp(ILogger logger, Exception exception, string sandboxId, string instanceId);

    [LoggerMessage(8105, LogLevel.Error, "Could not terminate instance {InstanceId} after a failed create; the reconciler will find it by tag")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string instanceId);

    [LoggerMessage(8106, LogLevel.Information, "Terminating instance {InstanceId} (was {State})")]
    public static partial void Terminating(ILogger logger, string instanceId, string state);

    [LoggerMessage(8107, LogLevel.Information, "Client token of sandbox {SandboxId} names terminated instance {InstanceId}; launching generation {Generation}")]
    public static partial void NewGeneration(ILogger logger, string sandboxId, string instanceId, int generation);

    [LoggerMessage(8108, LogLevel.Information, "Sandbox {SandboxId} already has instance {InstanceId} (same client token); adopting it")]
    public static partial void Adopted(ILogger logger, string sandboxId, string instanceId);
}
