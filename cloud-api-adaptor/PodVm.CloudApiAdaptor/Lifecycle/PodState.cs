namespace PodVm.CloudApiAdaptor.Lifecycle;

/// <summary>
/// The states of one pod VM. Legal moves: (none) -CreateVM-> Created -StartVM-> Starting -> Running or Failed;
/// any -StopVM-> Stopping -> (removed). A restart re-attaches Running pods and finishes what Starting and Stopping began.
/// </summary>
public enum PodState
{
    Created = 0,
    Starting,
    Running,
    Failed,
    Stopping,
}
