namespace PodVm.CloudApiAdaptor.Lifecycle;

/// <summary>What an <see cref="IPodLifecycleObserver"/> knows about the pod a new instance is for.</summary>
public enum PodPresence
{
    /// <summary>The pod exists, or the observer cannot tell (it is unreachable): keep the instance.</summary>
    Present = 0,

    /// <summary>The pod no longer exists: the instance has nobody to serve and is deleted.</summary>
    Gone,
}
