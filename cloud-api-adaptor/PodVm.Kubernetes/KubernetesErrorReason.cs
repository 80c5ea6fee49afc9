namespace PodVm.Kubernetes;

/// <summary>Closed set of reasons a call of this library to the Kubernetes API fails.</summary>
public enum KubernetesErrorReason
{
    /// <summary>The API server answered with an unexpected status or could not be reached.</summary>
    ApiError = 0,
    /// <summary>The pod the pod VM belongs to does not exist (any more).</summary>
    PodNotFound,
    /// <summary>RBAC does not allow the call; deploy/base/adaptor-rbac.yaml is out of date or not applied.</summary>
    Forbidden,
    /// <summary>Optimistic concurrency kept failing (409) after every retry.</summary>
    Conflict,
}
