using Grpc.Core;
using PodVm.Protocols.Agent;

namespace PodVm.GuestAgent.Services;

/// <summary><c>grpc.Health</c>: always allowed by policy (the shim's liveness check every 5 s must not be blockable).</summary>
internal sealed class HealthServiceImpl : Health.HealthBase
{
    public override Task<HealthCheckResponse> Check(CheckRequest request, ServerCallContext context) =>
        Task.FromResult(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving });

    public override Task<VersionCheckResponse> Version(CheckRequest request, ServerCallContext context) =>
        Task.FromResult(new VersionCheckResponse { AgentVersion = AgentVersion.Value, GrpcVersion = "ttrpc" });
}
