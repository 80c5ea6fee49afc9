using Microsoft.Extensions.Logging;

namespace PodVm.Providers.Azure;

/// <summary>Log messages of the Azure provider (event ids 8200-8299).</summary>
internal static partial class AzureProviderLog
{
    [LoggerMessage(8200, LogLevel.Information, "Creating VM {InstanceId} ({VmSize}) for sandbox {SandboxId}, confidential {Confidential}")]
    public static partial void Creating(ILogger logger, string sandboxId, string instanceId, string vmSize, bool confidential);

    [LoggerMessage(8201, LogLevel.Warning, "No Azure capacity for {VmSize} (sandbox {SandboxId}); trying {NextVmSize}")]
    public static partial void FallingBack(ILogger logger, string sandboxId, string vmSize, string nextVmSize);

    [LoggerMessage(8202, LogLevel.Information, "VM {InstanceId} for sandbox {SandboxId} is running at {Address}")]
    public static partial void Running(ILogger logger, string sandboxId, string instanceId, string address);

    [LoggerMessage(8203, LogLevel.Warning, "Create of VM {InstanceId} for sandbox {SandboxId} failed; deleting the VM and its NIC")]
    public static partial void CleaningUp(ILogger logger, Exception exception, string sandboxId, string instanceId);

    [LoggerMessage(8204, LogLevel.Error, "Could not clean up VM {InstanceId} after a failed create; the reconciler will find it by tag")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string instanceId);

    [LoggerMessage(8205, LogLevel.Information, "VM {InstanceId} for sandbox {SandboxId} already exists ({ProvisioningState}); adopting it")]
    public static partial void Adopting(ILogger logger, string sandboxId, string instanceId, string provisioningState);

    [LoggerMessage(8206, LogLevel.Information, "Deleting VM {InstanceId} with its NIC and OS disk")]
    public static partial void Deleting(ILogger logger, string instanceId);
}
