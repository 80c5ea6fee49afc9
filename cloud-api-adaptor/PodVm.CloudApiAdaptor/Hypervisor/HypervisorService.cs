using Grpc.Core;
using PodVm.CloudApiAdaptor.Lifecycle;
using PodVm.Protocols.Hypervisor;

namespace PodVm.CloudApiAdaptor.Hypervisor;

/// <summary>
/// hypervisor.Hypervisor as Kata's remote hypervisor (remote.go) calls it: one connection per call, CreateVM with
/// all nine annotations, StartVM with a long deadline, StopVM at teardown. Each call becomes a PodManager command.
/// </summary>
internal sealed class HypervisorService(PodManager pods) : PodVm.Protocols.Hypervisor.Hypervisor.HypervisorBase
{
    public const string VersionString = "0.0.0";

    public override Task<VersionResponse> Version(VersionRequest request, ServerCallContext context) =>
        Task.FromResult(new VersionResponse { Version = VersionString });

    public override async Task<CreateVMResponse> CreateVM(CreateVMRequest request, ServerCallContext context)
    {
        var path = await Translate(() => pods.CreateVmAsync(request.Id, request.Annotations, request.NetworkNamespacePath, context.CancellationToken)).ConfigureAwait(false);
        return new CreateVMResponse { AgentSocketPath = path };
    }

    public override async Task<StartVMResponse> StartVM(StartVMRequest request, ServerCallContext context)
    {
        await Translate(async () =>
        {
            await pods.StartVmAsync(request.Id, context.CancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        return new StartVMResponse();
    }

    public override async Task<StopVMResponse> StopVM(StopVMRequest request, ServerCallContext context)
    {
        await Translate(async () =>
        {
            await pods.StopVmAsync(request.Id, context.CancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        return new StopVMResponse();
    }

    internal static async Task<T> Translate<T>(Func<Task<T>> command)
    {
        try
        {
            return await command().ConfigureAwait(false);
        }
        catch (AdaptorException ex)
        {
            throw ex.ToRpcException();
        }
    }
}
