using PodVm.CloudApiAdaptor.Proxy;

namespace PodVm.CloudApiAdaptor.Lifecycle;

/// <summary>One pod VM in memory: its persisted record, the lock that serialises its commands, and its proxy.</summary>
internal sealed class Pod
{
    public Pod(PodRecord record)
    {
        Record = record;
    }

    /// <summary>Held while a command (StartVM, StopVM, recovery) runs for this pod; other pods are not blocked.</summary>
    public SemaphoreSlim Lock { get; } = new(1, 1);

    public PodRecord Record { get; set; }

    public AgentProxy? Proxy { get; set; }

    /// <summary>Completes when the pod reaches Running (or ends), for podvminfo GetInfo with wait.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
