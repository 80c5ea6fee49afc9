using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using PodVm.GuestAgent.Networking;
using PodVm.GuestAgent.Policy;
using PodVm.GuestAgent.Runtime;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Types;

namespace PodVm.GuestAgent.Services;

/// <summary>
/// <c>grpc.AgentService</c>: every call is first checked against the policy (PermissionDenied names the rule), then
/// handed to the container manager. Methods not overridden here answer Unimplemented (the generated base).
/// </summary>
internal sealed class AgentServiceImpl(ContainerManager containers, PolicyEngine policy, NetworkConfigurator network, ILogger logger)
    : AgentService.AgentServiceBase
{
    private static readonly Empty EmptyReply = new();

    public override Task<Empty> SetPolicy(SetPolicyRequest request, ServerCallContext context) => Run(nameof(SetPolicy), context, _ =>
    {
        AgentPolicy parsed;
        try
        {
            parsed = PolicyEngine.Parse(request.Policy);
        }
        catch (PolicyException ex)
        {
            throw new AgentException(AgentErrorReason.InvalidArgument, ex.Message, ex);
        }

        policy.Set(parsed);
        AgentLog.PolicySet(logger, "SetPolicy");
        return Task.FromResult(EmptyReply);
    });

    public override Task<Empty> CreateSandbox(CreateSandboxRequest request, ServerCallContext context) => Run(nameof(CreateSandbox), context, async ct =>
    {
        await containers.CreateSandboxAsync(request, ct).ConfigureAwait(false);
        return EmptyReply;
    });

    public override Task<Empty> DestroySandbox(DestroySandboxRequest request, ServerCallContext context) => Run(nameof(DestroySandbox), context, async ct =>
    {
        await containers.DestroySandboxAsync(ct).ConfigureAwait(false);
        return EmptyReply;
    });

    public override Task<GuestDetailsResponse> GetGuestDetails(GuestDetailsRequest request, ServerCallContext context) => Run(nameof(GetGuestDetails), context, _ =>
    {
        var response = new GuestDetailsResponse
        {
            AgentDetails = new AgentDetails
            {
                Version = AgentVersion.Value,
                InitDaemon = Environment.ProcessId == 1,
                SupportsSeccomp = true,
            },
            SupportMemHotplugProbe = request.MemHotplugProbe && File.Exists("/sys/devices/system/memory/probe"),
        };
        response.AgentDetails.StorageHandlers.Add(Images.ImageStore.GuestPullDriver);
        if (request.MemBlockSize && File.Exists("/sys/devices/system/memory/block_size_bytes"))
        {
            response.MemBlockSizeBytes = Convert.ToUInt64(File.ReadAllText("/sys/devices/system/memory/block_size_bytes").Trim(), 16);
        }

        return Task.FromResult(response);
    });

    public override Task<Empty> CreateContainer(CreateContainerRequest request, ServerCallContext context) => Run(nameof(CreateContainer), context, async ct =>
    {
        await containers.CreateContainerAsync(request, ct).ConfigureAwait(false);
        return EmptyReply;
    });

    public override Task<Empty> StartContainer(StartContainerRequest request, ServerCallContext context) => Run(nameof(StartContainer), context, async ct =>
    {
        await containers.StartContainerAsync(request.ContainerId, ct).ConfigureAwait(false);
        return EmptyReply;
    });

    public override Task<Empty> RemoveContainer(RemoveContainerRequest request, ServerCallContext context) => Run(nameof(RemoveContainer), context, async ct =>
    {
        await containers.RemoveContainerAsync(request.ContainerId, request.Timeout, ct).ConfigureAwait(false);
        return EmptyReply;
    });

    public override Task<Empty> ExecProcess(ExecProcessRequest request, ServerCallContext context) => Run(nameof(ExecProcess), context, async ct =>
    {
        await containers.ExecProcessAsync(request, ct).ConfigureAwait(false);
        return EmptyReply;
    });

    public override Task<Empty> SignalProcess(SignalProcessRequest request, ServerCallContext context) => Run(nameof(SignalProcess), context, async ct =>
    {
        await containers.SignalProcessAsync(request.ContainerId, request.ExecId, (int)request.Signal, ct).ConfigureAwait(false);
        return EmptyReply;
    });

    public override Task<WaitProcessResponse> WaitProcess(WaitProcessRequest request, ServerCallContext context) => Run(nameof(WaitProcess), context, async ct =>
        new WaitProcessResponse { Status = await containers.WaitProcessAsync(request.ContainerId, request.ExecId, ct).ConfigureAwait(false) });

    public override Task<ReadStreamResponse> ReadStdout(ReadStreamRequest request, ServerCallContext context) =>
        Run(nameof(ReadStdout), context, ct => ReadAsync(request, stderr: false, ct));

    public override Task<ReadStreamResponse> ReadStderr(ReadStreamRequest request, ServerCallContext context) =>
        Run(nameof(ReadStderr), context, ct => ReadAsync(request, stderr: true, ct));

    public override Task<WriteStreamResponse> WriteStdin(WriteStreamRequest request, ServerCallContext context) => Run(nameof(WriteStdin), context, async ct =>
        new WriteStreamResponse { Len = (uint)await containers.WriteStdinAsync(request.ContainerId, request.ExecId, request.Data.Memory, ct).ConfigureAwait(false) });

    public override Task<Empty> CloseStdin(CloseStdinRequest request, ServerCallContext context) => Run(nameof(CloseStdin), context, async ct =>
    {
        await containers.CloseStdinAsync(request.ContainerId, request.ExecId, ct).ConfigureAwait(false);
        return EmptyReply;
    });

    public override Task<Empty> TtyWinResize(TtyWinResizeRequest request, ServerCallContext context) => Run(nameof(TtyWinResize), context, _ =>
    {
        containers.TtyWinResize(request.ContainerId, request.ExecId);
        return Task.FromResult(EmptyReply);
    });

    public override Task<StatsContainerResponse> StatsContainer(StatsContainerRequest request, ServerCallContext context) => Run(nameof(StatsContainer), context, _ =>
        Task.FromResult(new StatsContainerResponse { CgroupStats = containers.Stats(request.ContainerId) }));

    public override Task<Empty> UpdateContainer(UpdateContainerRequest request, ServerCallContext context) => Run(nameof(UpdateContainer), context, async ct =>
    {
        await containers.UpdateContainerAsync(request.ContainerId, request.Resources ?? new LinuxResources(), ct).ConfigureAwait(false);
        return EmptyReply;
    });

    public override Task<Empty> PauseContainer(PauseContainerRequest request, ServerCallContext context) => Run(nameof(PauseContainer), context, async ct =>
    {
        await containers.PauseAsync(request.ContainerId, ct).ConfigureAwait(false);
        return EmptyReply;
    });

    public override Task<Empty> ResumeContainer(ResumeContainerRequest request, ServerCallContext context) => Run(nameof(ResumeContainer), context, async ct =>
    {
        await containers.ResumeAsync(request.ContainerId, ct).ConfigureAwait(false);
        return EmptyReply;
    });

    public override Task<OOMEvent> GetOOMEvent(GetOOMEventRequest request, ServerCallContext context) => Run(nameof(GetOOMEvent), context, async ct =>
        new OOMEvent { ContainerId = await containers.NextOomAsync(ct).ConfigureAwait(false) });

    public override Task<PodVm.Protocols.Agent.Metrics> GetMetrics(GetMetricsRequest request, ServerCallContext context) => Run(nameof(GetMetrics), context, _ =>
        Task.FromResult(new PodVm.Protocols.Agent.Metrics { Metrics_ = PodVm.GuestAgent.Metrics.AgentMetrics.Render(containers.ContainerCount) }));

    public override Task<Interfaces> ListInterfaces(ListInterfacesRequest request, ServerCallContext context) => Run(nameof(ListInterfaces), context, _ =>
    {
        var reply = new Interfaces();
        reply.Interfaces_.AddRange(NetworkConfigurator.ListInterfaces());
        return Task.FromResult(reply);
    });

    public override Task<Routes> ListRoutes(ListRoutesRequest request, ServerCallContext context) => Run(nameof(ListRoutes), context, _ =>
    {
        var reply = new Routes();
        reply.Routes_.AddRange(NetworkConfigurator.ListRoutes());
        return Task.FromResult(reply);
    });

    public override Task<Interface> UpdateInterface(UpdateInterfaceRequest request, ServerCallContext context) => Run(nameof(UpdateInterface), context, ct =>
        network.UpdateInterfaceAsync(request.Interface ?? throw new AgentException(AgentErrorReason.InvalidArgument, "UpdateInterface without an interface"), ct));

    public override Task<Routes> UpdateRoutes(UpdateRoutesRequest request, ServerCallContext context) => Run(nameof(UpdateRoutes), context, async ct =>
    {
        var reply = new Routes();
        reply.Routes_.AddRange(await network.UpdateRoutesAsync(request.Routes?.Routes_ ?? [], ct).ConfigureAwait(false));
        return reply;
    });

    private async Task<ReadStreamResponse> ReadAsync(ReadStreamRequest request, bool stderr, CancellationToken cancellationToken)
    {
        var data = await containers.ReadAsync(request.ContainerId, request.ExecId, stderr, (int)Math.Min(request.Len, int.MaxValue), cancellationToken).ConfigureAwait(false);
        return data is null
            ? throw new AgentException(AgentErrorReason.EndOfStream, "read meet eof")
            : new ReadStreamResponse { Data = UnsafeByteOperations.UnsafeWrap(data) };
    }

    private async Task<T> Run<T>(string method, ServerCallContext context, Func<CancellationToken, Task<T>> body)
    {
        var decision = policy.CheckMethod(method);
        if (!decision.Allowed)
        {
            AgentLog.Denied(logger, method, decision.Message);
            throw new RpcException(new Status(StatusCode.PermissionDenied, decision.Message));
        }

        try
        {
            return await body(context.CancellationToken).ConfigureAwait(false);
        }
        catch (AgentException ex)
        {
            if (ex.Reason == AgentErrorReason.PermissionDenied)
            {
                AgentLog.Denied(logger, method, ex.Message);
            }
            else if (ex.Reason != AgentErrorReason.EndOfStream)
            {
                AgentLog.CallFailed(logger, method, ex.Message);
            }

            throw new RpcException(ex.ToStatus());
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, $"{method} cancelled"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or FormatException)
        {
            AgentLog.Unexpected(logger, method, ex);
            throw new RpcException(new Status(StatusCode.Internal, $"{method}: {ex.Message}"));
        }
    }
}
