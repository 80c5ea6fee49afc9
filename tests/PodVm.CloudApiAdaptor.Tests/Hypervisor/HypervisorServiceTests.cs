using Grpc.Core;
using PodVm.CloudApiAdaptor.Configuration;
using PodVm.CloudApiAdaptor.Hypervisor;
using PodVm.CloudApiAdaptor.Tests.Fakes;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Hypervisor;
using PodVm.Protocols.Ttrpc;

namespace PodVm.CloudApiAdaptor.Tests.Hypervisor;

/// <summary>The hypervisor service as Kata's remote hypervisor uses it: a new connection for every call.</summary>
public sealed class HypervisorServiceTests
{
    private static async Task<T> CallAsync<T>(TtrpcServer server, Func<PodVm.Protocols.Hypervisor.Hypervisor.HypervisorClient, Task<T>> call)
    {
        await using var client = await TtrpcClient.ConnectAsync(server.BoundEndpoints[0]).DefaultTimeout();
        return await call(new PodVm.Protocols.Hypervisor.Hypervisor.HypervisorClient(client.CreateCallInvoker())).DefaultTimeout();
    }

    private static async Task<TtrpcServer> ServeAsync(AdaptorHarness harness)
    {
        var server = new TtrpcServer();
        PodVm.Protocols.Hypervisor.Hypervisor.BindService(server.Services, new HypervisorService(harness.Pods));
        await server.StartAsync(TtrpcEndpoint.Unix(harness.Options.SocketPath), CancellationToken.None).DefaultTimeout();
        return server;
    }

    [Fact]
    public async Task Version_Called_ReturnsZeroVersion()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        await using var server = await ServeAsync(harness);

        var response = await CallAsync(server, c => c.VersionAsync(new VersionRequest { Version = "0.0.0" }).ResponseAsync);

        Assert.Equal("0.0.0", response.Version);
    }

    [Fact]
    public async Task CreateStartStop_ShimSequence_AgentReachableThenCleanedUp()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        await using var server = await ServeAsync(harness);
        var create = new CreateVMRequest { Id = "sb1", NetworkNamespacePath = "/var/run/netns/cni-1" };
        create.Annotations.Add(AdaptorHarness.Annotations("k8s_web_default_uid_0"));

        var created = await CallAsync(server, c => c.CreateVMAsync(create).ResponseAsync);
        Assert.Equal(Path.Combine(harness.Options.PodsDirectory, "sb1", "agent.ttrpc"), created.AgentSocketPath);

        await CallAsync(server, c => c.StartVMAsync(new StartVMRequest { Id = "sb1" }, deadline: DateTime.UtcNow.AddMinutes(10)).ResponseAsync);
        await using (var shim = await AdaptorHarness.ConnectShimAsync(created.AgentSocketPath))
        {
            var health = await shim.Health.CheckAsync(new CheckRequest()).ResponseAsync.DefaultTimeout();
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }

        var record = Assert.Single(harness.Pods.Snapshot());
        Assert.Equal("web", record.PodName);
        Assert.Equal("/var/run/netns/cni-1", record.NetworkNamespace);

        await CallAsync(server, c => c.StopVMAsync(new StopVMRequest { Id = "sb1" }).ResponseAsync);
        await CallAsync(server, c => c.StopVMAsync(new StopVMRequest { Id = "sb1" }).ResponseAsync);

        Assert.Empty(harness.Provider.Instances);
        Assert.False(File.Exists(created.AgentSocketPath));
    }

    [Fact]
    public async Task StartVmAndStopVm_UnknownId_NotFound()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        await using var server = await ServeAsync(harness);

        var start = await Assert.ThrowsAsync<RpcException>(() => CallAsync(server, c => c.StartVMAsync(new StartVMRequest { Id = "ghost" }).ResponseAsync));
        var stop = await Assert.ThrowsAsync<RpcException>(() => CallAsync(server, c => c.StopVMAsync(new StopVMRequest { Id = "ghost" }).ResponseAsync));

        Assert.Equal(StatusCode.NotFound, start.StatusCode);
        Assert.Equal(StatusCode.NotFound, stop.StatusCode);
        Assert.Equal("sandbox ghost does not exist", stop.Status.Detail);
    }

    [Fact]
    public async Task CreateVm_MalformedAnnotation_InvalidArgumentNamingKey()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        await using var server = await ServeAsync(harness);
        var create = new CreateVMRequest { Id = "sb1" };
        create.Annotations.Add(AdaptorHarness.Annotations());
        create.Annotations[PodAnnotations.MemoryKey] = "lots";

        var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync(server, c => c.CreateVMAsync(create).ResponseAsync));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains(PodAnnotations.MemoryKey, ex.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(harness.Pods.Snapshot());
    }

    [Fact]
    public async Task StartVm_ProviderFails_UnavailableWithReason()
    {
        await using var harness = await AdaptorHarness.StartAsync();
        await using var server = await ServeAsync(harness);
        harness.Provider.CreateFailure = new PodVm.CloudApiAdaptor.Providers.ProviderException(PodVm.CloudApiAdaptor.Providers.ProviderErrorReason.Unavailable, "API down");
        var create = new CreateVMRequest { Id = "sb1" };
        create.Annotations.Add(AdaptorHarness.Annotations());
        await CallAsync(server, c => c.CreateVMAsync(create).ResponseAsync);

        var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync(server, c => c.StartVMAsync(new StartVMRequest { Id = "sb1" }).ResponseAsync));

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("API down", ex.Status.Detail, StringComparison.Ordinal);
    }
}
