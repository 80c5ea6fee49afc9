namespace PodVm.CloudApiAdaptor.Providers;

/// <summary>The one exception type providers throw; <see cref="Reason"/> tells the core what to do next.</summary>
public sealed class ProviderException : Exception
{
    public ProviderException(ProviderErrorReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public ProviderException()
    {
    }

    public ProviderException(string message)
        : base(message)
    {
    }

    public ProviderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ProviderErrorReason Reason { get; } = ProviderErrorReason.Internal;

    /// <summary>True when trying again (later, or with another instance type) may succeed.</summary>
    public bool IsTransient => Reason is ProviderErrorReason.Throttled or ProviderErrorReason.Unavailable
        or ProviderErrorReason.InsufficientCapacity or ProviderErrorReason.Timeout;
}
