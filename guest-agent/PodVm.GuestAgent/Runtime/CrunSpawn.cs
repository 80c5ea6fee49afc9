namespace PodVm.GuestAgent.Runtime;

/// <summary>A process started through crun (create or exec): its host pid and the agent's ends of its stdio pipes.</summary>
internal sealed record CrunSpawn(int Pid, Stream Stdin, Stream Stdout, Stream Stderr);
