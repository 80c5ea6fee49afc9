namespace PodVm.Kubernetes.Events;

/// <summary>Why a pod VM could not be created or started, as users read it in <c>kubectl describe pod</c>.</summary>
public enum PodVmFailure
{
    Other = 0,
    QuotaExceeded,
    InsufficientCapacity,
    ImageNotFound,
    AttestationFailed,
    Timeout,
    InvalidConfiguration,
    UserDataTooLarge,
    InstanceFailed,
}
