namespace PodVm.CloudApiAdaptor.Providers;

/// <summary>Closed set of reasons a provider call fails. Posted on the Pod as the Event reason.</summary>
public enum ProviderErrorReason
{
    Internal = 0,
    /// <summary>A setting is wrong (bad subnet, missing permission); retrying will not help.</summary>
    InvalidConfiguration,
    /// <summary>The account's quota is exhausted.</summary>
    QuotaExceeded,
    /// <summary>The cloud has no capacity for this instance type now; the core may fall back to the next type.</summary>
    InsufficientCapacity,
    /// <summary>The image does not exist or cannot be used.</summary>
    ImageNotFound,
    /// <summary>The API asked us to slow down.</summary>
    Throttled,
    /// <summary>The API or the VM did not answer in time.</summary>
    Timeout,
    /// <summary>The API is temporarily unavailable (5xx).</summary>
    Unavailable,
    /// <summary>The user data is larger than the provider accepts.</summary>
    UserDataTooLarge,
    /// <summary>The VM started but failed (crashed, never became ready).</summary>
    InstanceFailed,
}
