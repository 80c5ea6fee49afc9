using Grpc.Core;
using PodVm.CloudApiAdaptor.Lifecycle;
using PodVm.Protocols.PodVmInfo;

namespace PodVm.CloudApiAdaptor.Hypervisor;

/// <summary>podvminfo.PodVMInfo/GetInfo on the hypervisor socket: which VM runs a pod, optionally waiting for it.</summary>
internal sealed class PodVmInfoService(PodManager pods) : PodVMInfo.PodVMInfoBase
{
    public override async Task<GetInfoResponse> GetInfo(GetInfoRequest request, ServerCallContext context)
    {
        var id = await HypervisorService.Translate(() => pods.GetInstanceIdAsync(request.PodName, request.PodNamespace, request.Wait, context.CancellationToken)).ConfigureAwait(false);
        return new GetInfoResponse { VMID = id };
    }
}
