using Grpc.Core;
using PodVm.Protocols.Hypervisor;

namespace PodVm.Benchmarks;

/// <summary>Our benchmark server's hypervisor.Hypervisor: Version echoes its request, like the Go peer's.</summary>
internal sealed class EchoHypervisorService : Hypervisor.HypervisorBase
{
    public override Task<VersionResponse> Version(VersionRequest request, ServerCallContext context) =>
        Task.FromResult(new VersionResponse { Version = request.Version });
}
