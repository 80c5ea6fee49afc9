using Grpc.Core;
using PodVm.Protocols.Agent;

namespace PodVm.CloudApiAdaptor.Tests.Fakes;

/// <summary>The agent behind the fake forwarder: long-polling WaitProcess, a policy-denied SignalProcess, and a call that echoes what it saw.</summary>
internal sealed class TestAgent : AgentService.AgentServiceBase
{
    public const string DeniedMessage = "SignalProcessRequest is blocked by policy";

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Released once per WaitProcess call that has arrived and is waiting.</summary>
    public SemaphoreSlim WaitEntered { get; } = new(0);

    public Metadata? LastHeaders { get; private set; }

    public DateTime LastDeadline { get; private set; }

    public void ReleaseWaits() => _release.TrySetResult();

    public override async Task<WaitProcessResponse> WaitProcess(WaitProcessRequest request, ServerCallContext context)
    {
        WaitEntered.Release();
        await _release.Task.WaitAsync(context.CancellationToken);
        return new WaitProcessResponse { Status = int.Parse(request.ExecId, System.Globalization.CultureInfo.InvariantCulture) };
    }

    public override Task<Google.Protobuf.WellKnownTypes.Empty> SignalProcess(SignalProcessRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.PermissionDenied, DeniedMessage));

    public override Task<GuestDetailsResponse> GetGuestDetails(GuestDetailsRequest request, ServerCallContext context)
    {
        LastHeaders = context.RequestHeaders;
        LastDeadline = context.Deadline;
        return Task.FromResult(new GuestDetailsResponse { MemBlockSizeBytes = 4096, SupportMemHotplugProbe = true });
    }
}
