using Google.Protobuf.Reflection;
using Grpc.Core;
using PodVm.GuestAgent.Services;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Ttrpc;

namespace PodVm.GuestAgent.Tests.Services;

public sealed class AgentServiceBindingTests
{
    [Fact]
    public async Task BindAgent_EveryMethodOfAgentProto_BoundWithItsMessageTypesInOrder()
    {
        await using var server = new TtrpcServer();
        var bound = AgentServiceBinding.BindAgent(server, new Unimplemented());

        AssertMatches(AgentService.Descriptor, bound);
        Assert.Equal(42, bound.Methods.Count);
    }

    [Fact]
    public async Task BindHealth_EveryMethodOfHealthProto_BoundWithItsMessageTypesInOrder()
    {
        await using var server = new TtrpcServer();
        var bound = AgentServiceBinding.BindHealth(server, new HealthServiceImpl());

        AssertMatches(Health.Descriptor, bound);
    }

    [Fact]
    public async Task BoundMethods_OverTtrpc_AnswerDecodeAndRefuseAsTheGeneratedBinderDid()
    {
        var dir = Directory.CreateTempSubdirectory("podvm-binding-").FullName;
        try
        {
            await using var server = new TtrpcServer();
            AgentServiceBinding.BindAgent(server, new Unimplemented());
            AgentServiceBinding.BindHealth(server, new HealthServiceImpl());
            var endpoint = TtrpcEndpoint.Unix(Path.Combine(dir, "agent.sock"));
            await server.StartAsync(endpoint, CancellationToken.None).DefaultTimeout();
            await using var client = await TtrpcClient.ConnectAsync(endpoint, null, CancellationToken.None).DefaultTimeout();

            var health = await new Health.HealthClient(client.CreateCallInvoker()).CheckAsync(new CheckRequest()).ResponseAsync.DefaultTimeout();
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

            // A method the implementation does not override: the generated base's Unimplemented, as before.
            var agent = new AgentService.AgentServiceClient(client.CreateCallInvoker());
            var unimplemented = await Assert.ThrowsAsync<RpcException>(() => agent.PauseContainerAsync(new PauseContainerRequest { ContainerId = "c" }).ResponseAsync.DefaultTimeout());
            Assert.Equal(StatusCode.Unimplemented, unimplemented.StatusCode);

            // A payload that is not the request message: refused by the marshaller, the connection keeps serving.
            var malformed = await client.RelayAsync(new TtrpcRawRequest { Service = AgentServiceBinding.HealthServiceName, Method = "Check", Payload = new byte[] { 0x0A, 0xFF } }, CancellationToken.None).DefaultTimeout();
            Assert.Equal(StatusCode.InvalidArgument, malformed.Code);
            var again = await new Health.HealthClient(client.CreateCallInvoker()).CheckAsync(new CheckRequest()).ResponseAsync.DefaultTimeout();
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, again.Status);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertMatches(ServiceDescriptor descriptor, TtrpcServiceRegistration bound)
    {
        Assert.Equal(descriptor.FullName, bound.ServiceName);
        var expected = descriptor.Methods.Select(m => new TtrpcBoundMethod(m.Name, m.InputType.ClrType, m.OutputType.ClrType)).ToList();
        Assert.Equal(expected, bound.Methods);
        Assert.All(descriptor.Methods, m => Assert.False(m.IsClientStreaming || m.IsServerStreaming, $"{m.Name} streams; bind it as a stream"));
    }

    private sealed class Unimplemented : AgentService.AgentServiceBase;
}
