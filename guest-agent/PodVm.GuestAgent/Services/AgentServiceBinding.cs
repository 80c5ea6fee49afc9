using Google.Protobuf.WellKnownTypes;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Ttrpc;

namespace PodVm.GuestAgent.Services;

/// <summary>
/// Binds the Kata agent API (<c>grpc.AgentService</c>, all 42 methods of agent.proto) and <c>grpc.Health</c> to the
/// agent's ttrpc server by direct calls instead of the generated <c>BindService(ServiceBinderBase, impl)</c>: under
/// NativeAOT each generic virtual AddMethod call of the generated binder is resolved at run time by the type loader,
/// which was 29% of the agent's start-up CPU under QEMU TCG (see <see cref="TtrpcServiceRegistration"/>).
/// The lists follow agent.proto and health.proto in order; <c>AgentServiceBindingTests</c> compares them with the
/// services' descriptors (every method, its request and response type), so a method added to the .proto and not
/// here fails that test.
/// </summary>
internal static class AgentServiceBinding
{
    public const string AgentServiceName = "grpc.AgentService";
    public const string HealthServiceName = "grpc.Health";

    public static TtrpcServiceRegistration BindAgent(TtrpcServer server, AgentService.AgentServiceBase agent) =>
        new TtrpcServiceRegistration(server, AgentServiceName)
            .Unary("CreateContainer", CreateContainerRequest.Parser, Empty.Parser, agent.CreateContainer)
            .Unary("StartContainer", StartContainerRequest.Parser, Empty.Parser, agent.StartContainer)
            .Unary("RemoveContainer", RemoveContainerRequest.Parser, Empty.Parser, agent.RemoveContainer)
            .Unary("ExecProcess", ExecProcessRequest.Parser, Empty.Parser, agent.ExecProcess)
            .Unary("SignalProcess", SignalProcessRequest.Parser, Empty.Parser, agent.SignalProcess)
            .Unary("WaitProcess", WaitProcessRequest.Parser, WaitProcessResponse.Parser, agent.WaitProcess)
            .Unary("UpdateContainer", UpdateContainerRequest.Parser, Empty.Parser, agent.UpdateContainer)
            .Unary("UpdateEphemeralMounts", UpdateEphemeralMountsRequest.Parser, Empty.Parser, agent.UpdateEphemeralMounts)
            .Unary("StatsContainer", StatsContainerRequest.Parser, StatsContainerResponse.Parser, agent.StatsContainer)
            .Unary("PauseContainer", PauseContainerRequest.Parser, Empty.Parser, agent.PauseContainer)
            .Unary("ResumeContainer", ResumeContainerRequest.Parser, Empty.Parser, agent.ResumeContainer)
            .Unary("RemoveStaleVirtiofsShareMounts", RemoveStaleVirtiofsShareMountsRequest.Parser, Empty.Parser, agent.RemoveStaleVirtiofsShareMounts)
            .Unary("GetDiagnosticData", GetDiagnosticDataRequest.Parser, GetDiagnosticDataResponse.Parser, agent.GetDiagnosticData)
            .Unary("WriteStdin", WriteStreamRequest.Parser, WriteStreamResponse.Parser, agent.WriteStdin)
            .Unary("ReadStdout", ReadStreamRequest.Parser, ReadStreamResponse.Parser, agent.ReadStdout)
            .Unary("ReadStderr", ReadStreamRequest.Parser, ReadStreamResponse.Parser, agent.ReadStderr)
            .Unary("CloseStdin", CloseStdinRequest.Parser, Empty.Parser, agent.CloseStdin)
            .Unary("TtyWinResize", TtyWinResizeRequest.Parser, Empty.Parser, agent.TtyWinResize)
            .Unary("UpdateInterface", UpdateInterfaceRequest.Parser, PodVm.Protocols.Types.Interface.Parser, agent.UpdateInterface)
            .Unary("UpdateRoutes", UpdateRoutesRequest.Parser, Routes.Parser, agent.UpdateRoutes)
            .Unary("ListInterfaces", ListInterfacesRequest.Parser, Interfaces.Parser, agent.ListInterfaces)
            .Unary("ListRoutes", ListRoutesRequest.Parser, Routes.Parser, agent.ListRoutes)
            .Unary("AddARPNeighbors", AddARPNeighborsRequest.Parser, Empty.Parser, agent.AddARPNeighbors)
            .Unary("GetIPTables", GetIPTablesRequest.Parser, GetIPTablesResponse.Parser, agent.GetIPTables)
            .Unary("SetIPTables", SetIPTablesRequest.Parser, SetIPTablesResponse.Parser, agent.SetIPTables)
            .Unary("GetMetrics", GetMetricsRequest.Parser, PodVm.Protocols.Agent.Metrics.Parser, agent.GetMetrics)
            .Unary("MemAgentMemcgSet", MemAgentMemcgConfig.Parser, Empty.Parser, agent.MemAgentMemcgSet)
            .Unary("MemAgentCompactSet", MemAgentCompactConfig.Parser, Empty.Parser, agent.MemAgentCompactSet)
            .Unary("CreateSandbox", CreateSandboxRequest.Parser, Empty.Parser, agent.CreateSandbox)
            .Unary("DestroySandbox", DestroySandboxRequest.Parser, Empty.Parser, agent.DestroySandbox)
            .Unary("OnlineCPUMem", OnlineCPUMemRequest.Parser, Empty.Parser, agent.OnlineCPUMem)
            .Unary("ReseedRandomDev", ReseedRandomDevRequest.Parser, Empty.Parser, agent.ReseedRandomDev)
            .Unary("GetGuestDetails", GuestDetailsRequest.Parser, GuestDetailsResponse.Parser, agent.GetGuestDetails)
            .Unary("MemHotplugByProbe", MemHotplugByProbeRequest.Parser, Empty.Parser, agent.MemHotplugByProbe)
            .Unary("SetGuestDateTime", SetGuestDateTimeRequest.Parser, Empty.Parser, agent.SetGuestDateTime)
            .Unary("CopyFile", CopyFileRequest.Parser, Empty.Parser, agent.CopyFile)
            .Unary("GetOOMEvent", GetOOMEventRequest.Parser, OOMEvent.Parser, agent.GetOOMEvent)
            .Unary("AddSwap", AddSwapRequest.Parser, Empty.Parser, agent.AddSwap)
            .Unary("AddSwapPath", AddSwapPathRequest.Parser, Empty.Parser, agent.AddSwapPath)
            .Unary("GetVolumeStats", VolumeStatsRequest.Parser, VolumeStatsResponse.Parser, agent.GetVolumeStats)
            .Unary("ResizeVolume", ResizeVolumeRequest.Parser, Empty.Parser, agent.ResizeVolume)
            .Unary("SetPolicy", SetPolicyRequest.Parser, Empty.Parser, agent.SetPolicy);

    public static TtrpcServiceRegistration BindHealth(TtrpcServer server, Health.HealthBase health) =>
        new TtrpcServiceRegistration(server, HealthServiceName)
            .Unary("Check", CheckRequest.Parser, HealthCheckResponse.Parser, health.Check)
            .Unary("Version", CheckRequest.Parser, VersionCheckResponse.Parser, health.Version);
}
