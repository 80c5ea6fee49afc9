using Grpc.Core;
using PodVm.Protocols.Agent;

namespace PodVm.Interop.Tests;

/// <summary>Our side's grpc.Health, behaving like the Go peer's: "not-serving" is NOT_SERVING, all else SERVING.</summary>
internal sealed class InteropHealthService : Health.HealthBase
{
    public override Task<HealthCheckResponse> Check(CheckRequest request, ServerCallContext context) =>
        Task.FromResult(new HealthCheckResponse
        {
            Status = request.Service == "not-serving"
                ? HealthCheckResponse.Types.ServingStatus.NotServing
                : HealthCheckResponse.Types.ServingStatus.Serving,
        });

    public override Task<VersionCheckResponse> Version(CheckRequest request, ServerCallContext context) =>
        Task.FromResult(new VersionCheckResponse { GrpcVersion = "ttrpc", AgentVersion = request.Service });
}
