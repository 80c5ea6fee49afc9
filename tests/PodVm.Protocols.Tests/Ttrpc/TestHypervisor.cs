using Grpc.Core;
using PodVm.Protocols.Hypervisor;

namespace PodVm.Protocols.Tests.Ttrpc;

/// <summary>A hypervisor service whose answers match the reference's golden captures.</summary>
internal sealed class TestHypervisor : PodVm.Protocols.Hypervisor.Hypervisor.HypervisorBase
{
    public TaskCompletionSource StartVmGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool GateStartVm { get; set; }

    public CreateVMRequest? LastCreate { get; private set; }

    public Metadata? LastHeaders { get; private set; }

    public DateTime LastDeadline { get; private set; }

    public override Task<VersionResponse> Version(VersionRequest request, ServerCallContext context)
    {
        LastHeaders = context.RequestHeaders;
        LastDeadline = context.Deadline;
        return Task.FromResult(new VersionResponse { Version = "0.0.0-probe" });
    }

    public override Task<CreateVMResponse> CreateVM(CreateVMRequest request, ServerCallContext context)
    {
        LastCreate = request;
        return Task.FromResult(new CreateVMResponse { AgentSocketPath = $"/run/peerpod/pods/{request.Id}/agent.ttrpc" });
    }

    public override async Task<StartVMResponse> StartVM(StartVMRequest request, ServerCallContext context)
    {
        if (GateStartVm)
        {
            await StartVmGate.Task.WaitAsync(context.CancellationToken);
        }

        return new StartVMResponse();
    }

    public override Task<StopVMResponse> StopVM(StopVMRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.NotFound, $"sandbox {request.Id} does not exist"));
}
