using PodVm.CloudApiAdaptor.Providers;

namespace PodVm.Kubernetes.Events;

/// <summary>Maps provider errors to <see cref="PodVmFailure"/>, and each failure to its Event reason and a hint.</summary>
public static class PodVmFailures
{
    public static PodVmFailure From(ProviderErrorReason reason) => reason switch
    {
        ProviderErrorReason.QuotaExceeded => PodVmFailure.QuotaExceeded,
        ProviderErrorReason.InsufficientCapacity => PodVmFailure.InsufficientCapacity,
        ProviderErrorReason.ImageNotFound => PodVmFailure.ImageNotFound,
        ProviderErrorReason.Timeout => PodVmFailure.Timeout,
        ProviderErrorReason.InvalidConfiguration => PodVmFailure.InvalidConfiguration,
        ProviderErrorReason.UserDataTooLarge => PodVmFailure.UserDataTooLarge,
        ProviderErrorReason.InstanceFailed => PodVmFailure.InstanceFailed,
        _ => PodVmFailure.Other,
    };

    /// <summary>The Event's reason (CamelCase, stable: users and alerts match on it).</summary>
    public static string EventReason(PodVmFailure failure) => failure switch
    {
        PodVmFailure.QuotaExceeded => "PodVmQuotaExceeded",
        PodVmFailure.InsufficientCapacity => "PodVmInsufficientCapacity",
        PodVmFailure.ImageNotFound => "PodVmImageNotFound",
        PodVmFailure.AttestationFailed => "PodVmAttestationFailed",
        PodVmFailure.Timeout => "PodVmTimeout",
        PodVmFailure.InvalidConfiguration => "PodVmInvalidConfiguration",
        PodVmFailure.UserDataTooLarge => "PodVmUserDataTooLarge",
        PodVmFailure.InstanceFailed => "PodVmInstanceFailed",
        _ => "PodVmFailed",
    };

    /// <summary>What the user can do about it.</summary>
    public static string Hint(PodVmFailure failure) => failure switch
    {
        PodVmFailure.QuotaExceeded => "The cloud account's quota is used up: raise it, or lower kata.peerpods.io/vm per node.",
        PodVmFailure.InsufficientCapacity => "The cloud has no capacity for this instance type now: allow more instance types, or another zone.",
        PodVmFailure.ImageNotFound => "The pod VM image does not exist or cannot be used: check the image annotation and the provider's image setting.",
        PodVmFailure.AttestationFailed => "The pod VM's evidence was rejected: check the key broker's reference values and the pod's initdata.",
        PodVmFailure.Timeout => "The cloud API or the VM did not answer in time: check the adaptor's log and the provider's status.",
        PodVmFailure.InvalidConfiguration => "The adaptor's provider settings are wrong (subnet, permissions): fix the podvm-adaptor-config ConfigMap.",
        PodVmFailure.UserDataTooLarge => "The pod VM configuration is larger than the provider accepts: shrink the initdata annotation.",
        PodVmFailure.InstanceFailed => "The VM started but failed: see the adaptor's log for the VM's console.",
        _ => "See the adaptor's log on the pod's node.",
    };
}
