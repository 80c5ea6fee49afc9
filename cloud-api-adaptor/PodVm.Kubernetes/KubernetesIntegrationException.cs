namespace PodVm.Kubernetes;

/// <summary>The one exception type of PodVm.Kubernetes; <see cref="Reason"/> says what the caller can do.</summary>
public sealed class KubernetesIntegrationException : Exception
{
    public KubernetesIntegrationException(KubernetesErrorReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public KubernetesIntegrationException()
    {
    }

    public KubernetesIntegrationException(string message)
        : base(message)
    {
    }

    public KubernetesIntegrationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KubernetesErrorReason Reason { get; }
}
