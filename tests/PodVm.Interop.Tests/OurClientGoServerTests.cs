using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using PodVm.Protocols.Agent;
using PodVm.Protocols.Hypervisor;
using PodVm.Protocols.Ttrpc;

namespace PodVm.Interop.Tests;

/// <summary>Our ttrpc client (typed stubs over TtrpcClient) against the upstream Go ttrpc server.</summary>
public sealed class OurClientGoServerTests : IAsyncLifetime
{
    private readonly SocketDirectory _dir = new();
    private GoPeerServer? _server;
    private TtrpcClient? _client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TtrpcClient Client => _client ?? throw new InvalidOperationException("not started");

    private Hypervisor.HypervisorClient HypervisorClient => new(Client.CreateCallInvoker());

    private Health.HealthClient HealthClient => new(Client.CreateCallInvoker());

    public async ValueTask InitializeAsync()
    {
        var peer = await GoPeer.RequireAsync();
        _server = await GoPeerServer.StartAsync(peer, _dir.Socket("go-server"));
        _client = await TtrpcClient.ConnectAsync(TtrpcEndpoint.Parse(_server.Address), options: null, Ct).DefaultTimeout();
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task Version_Echo_ReturnsRequestString()
    {
        var response = await HypervisorClient.VersionAsync(new VersionRequest { Version = "0.0.0-probe" }, cancellationToken: Ct).ResponseAsync.DefaultTimeout();

        Assert.Equal("0.0.0-probe", response.Version);
    }

    [Fact]
    public async Task CreateVM_WithAnnotationsAndNetns_ServerRecordsEveryField()
    {
        var request = new CreateVMRequest { Id = "sb1", NetworkNamespacePath = "/var/run/netns/x" };
        request.Annotations.Add(KataAnnotations);

        var response = await HypervisorClient.CreateVMAsync(request, cancellationToken: Ct).ResponseAsync.DefaultTimeout();
        var recorded = await HypervisorClient.VersionAsync(new VersionRequest { Version = "sandbox:sb1" }, cancellationToken: Ct).ResponseAsync.DefaultTimeout();

        Assert.Equal("/run/peerpod/pods/sb1/agent.ttrpc", response.AgentSocketPath);
        using var json = JsonDocument.Parse(recorded.Version);
        Assert.Equal("/var/run/netns/x", json.RootElement.GetProperty("networkNamespacePath").GetString());
        var annotations = json.RootElement.GetProperty("annotations").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty);
        Assert.Equal(KataAnnotations.OrderBy(kv => kv.Key, StringComparer.Ordinal), annotations.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Lifecycle_CreateStartStop_SucceedsThenStopAgainIsNotFound()
    {
        var hv = HypervisorClient;

        await hv.CreateVMAsync(new CreateVMRequest { Id = "sb2" }, cancellationToken: Ct).ResponseAsync.DefaultTimeout();
        var started = await hv.StartVMAsync(new StartVMRequest { Id = "sb2" }, cancellationToken: Ct).ResponseAsync.DefaultTimeout();
        var stopped = await hv.StopVMAsync(new StopVMRequest { Id = "sb2" }, cancellationToken: Ct).ResponseAsync.DefaultTimeout();
        var again = await Assert.ThrowsAsync<RpcException>(() => hv.StopVMAsync(new StopVMRequest { Id = "sb2" }, cancellationToken: Ct).ResponseAsync).DefaultTimeout();

        Assert.Equal(new StartVMResponse(), started);
        Assert.Equal(new StopVMResponse(), stopped);
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
        Assert.Equal("sandbox sb2 does not exist", again.Status.Detail);
    }

    [Fact]
    public async Task StopVM_UnknownSandbox_NotFoundWithUpstreamMessage()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => HypervisorClient.StopVMAsync(new StopVMRequest { Id = "nope" }, cancellationToken: Ct).ResponseAsync).DefaultTimeout();

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal("sandbox nope does not exist", ex.Status.Detail);
    }

    [Fact]
    public async Task StartVM_UnknownSandbox_NotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => HypervisorClient.StartVMAsync(new StartVMRequest { Id = "ghost" }, cancellationToken: Ct).ResponseAsync).DefaultTimeout();

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal("sandbox ghost does not exist", ex.Status.Detail);
    }

    [Fact]
    public async Task CreateVM_Duplicate_AlreadyExists()
    {
        await HypervisorClient.CreateVMAsync(new CreateVMRequest { Id = "dup" }, cancellationToken: Ct).ResponseAsync.DefaultTimeout();

        var ex = await Assert.ThrowsAsync<RpcException>(() => HypervisorClient.CreateVMAsync(new CreateVMRequest { Id = "dup" }, cancellationToken: Ct).ResponseAsync).DefaultTimeout();

        Assert.Equal(StatusCode.AlreadyExists, ex.StatusCode);
        Assert.Equal("sandbox dup already exists", ex.Status.Detail);
    }

    [Theory]
    [InlineData(StatusCode.Unknown, "boom")]
    [InlineData(StatusCode.InvalidArgument, "bad: argument with colon")]
    [InlineData(StatusCode.FailedPrecondition, "not ready")]
    [InlineData(StatusCode.Internal, "ünïcode message")]
    [InlineData(StatusCode.Unauthenticated, "who are you")]
    public async Task Version_ServerError_SurfacesCodeAndMessage(StatusCode code, string message)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(
            () => HypervisorClient.VersionAsync(new VersionRequest { Version = $"error:{(int)code}:{message}" }, cancellationToken: Ct).ResponseAsync).DefaultTimeout();

        Assert.Equal(code, ex.StatusCode);
        Assert.Equal(message, ex.Status.Detail);
    }

    [Fact]
    public async Task HealthCheck_Default_Serving()
    {
        var response = await HealthClient.CheckAsync(new CheckRequest(), cancellationToken: Ct).ResponseAsync.DefaultTimeout();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task HealthCheck_NotServingService_NotServing()
    {
        var response = await HealthClient.CheckAsync(new CheckRequest { Service = "not-serving" }, cancellationToken: Ct).ResponseAsync.DefaultTimeout();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, response.Status);
    }

    [Fact]
    public async Task HealthVersion_Service_Echoed()
    {
        var response = await HealthClient.VersionAsync(new CheckRequest { Service = "agent" }, cancellationToken: Ct).ResponseAsync.DefaultTimeout();

        Assert.Equal("ttrpc", response.GrpcVersion);
        Assert.Equal("agent", response.AgentVersion);
    }

    [Fact]
    public async Task Version_SlowCallPastDeadline_DeadlineExceeded()
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(200);

        var ex = await Assert.ThrowsAsync<RpcException>(
            () => HypervisorClient.VersionAsync(new VersionRequest { Version = "sleep:10000" }, deadline: deadline, cancellationToken: Ct).ResponseAsync).DefaultTimeout();

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Version_WithDeadline_ServerSeesTimeoutNano()
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);

        var response = await HypervisorClient.VersionAsync(new VersionRequest { Version = "deadline" }, deadline: deadline, cancellationToken: Ct).ResponseAsync.DefaultTimeout();

        var remainingMs = long.Parse(response.Version["deadline:".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(remainingMs, 3000, 5000);
    }

    [Fact]
    public async Task Version_WithoutDeadline_NoTimeoutNano()
    {
        var response = await HypervisorClient.VersionAsync(new VersionRequest { Version = "deadline" }, cancellationToken: Ct).ResponseAsync.DefaultTimeout();

        Assert.Equal("deadline:none", response.Version);
    }

    [Fact]
    public async Task Version_Metadata_DuplicateKeysArriveInOrder()
    {
        var headers = new Metadata { { "containerd-namespace-ttrpc", "k8s.io" }, { "traceparent", "00-a-b-01" }, { "multi", "1" }, { "multi", "2" } };

        var ns = await HypervisorClient.VersionAsync(new VersionRequest { Version = "metadata:containerd-namespace-ttrpc" }, headers, cancellationToken: Ct).ResponseAsync.DefaultTimeout();
        var multi = await HypervisorClient.VersionAsync(new VersionRequest { Version = "metadata:multi" }, headers, cancellationToken: Ct).ResponseAsync.DefaultTimeout();

        Assert.Equal("metadata:k8s.io", ns.Version);
        Assert.Equal("metadata:1,2", multi.Version);
    }

    [Fact]
    public async Task Version_500ConcurrentCallsOnOneConnection_EachGetsItsOwnResponse()
    {
        var hv = HypervisorClient;

        // Every fifth call sleeps a little, so responses come back out of order.
        var calls = Enumerable.Range(0, 500).Select(async i =>
        {
            var text = i % 5 == 0 ? $"sleep:{i % 20}" : $"v{i}";
            var response = await hv.VersionAsync(new VersionRequest { Version = text }, cancellationToken: Ct).ResponseAsync;
            return (Expected: i % 5 == 0 ? $"slept:{i % 20}" : text, Actual: response.Version);
        }).ToList();
        var results = await Task.WhenAll(calls).DefaultTimeout();

        Assert.All(results, r => Assert.Equal(r.Expected, r.Actual));
    }

    [Fact]
    public async Task Version_OneMiBPayload_RoundTripsIntact()
    {
        var text = string.Create(1 << 20, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i % 26));
            }
        });

        var response = await HypervisorClient.VersionAsync(new VersionRequest { Version = text }, cancellationToken: Ct).ResponseAsync.DefaultTimeout();

        Assert.Equal(text, response.Version);
    }

    [Fact]
    public async Task CallRaw_UnknownService_UnimplementedWithServiceName()
    {
        var response = await Client.CallRawAsync("no.Such", "Version", new VersionRequest { Version = "x" }.ToByteArray(), null, Ct).DefaultTimeout();

        Assert.Equal(StatusCode.Unimplemented, response.Code);
        Assert.Equal("service no.Such", response.Status?.Message);
    }

    [Fact]
    public async Task CallRaw_UnknownMethod_UnimplementedWithMethodName()
    {
        var response = await Client.CallRawAsync("hypervisor.Hypervisor", "Bogus", ReadOnlyMemory<byte>.Empty, null, Ct).DefaultTimeout();

        Assert.Equal(StatusCode.Unimplemented, response.Code);
        Assert.Equal("method Bogus", response.Status?.Message);
    }

    [Fact]
    public async Task StartVM_EmptyResponse_ZeroLengthFrameDecodes()
    {
        // The Go server sends a Response frame of length 0 for an empty reply (no status, no payload).
        await HypervisorClient.CreateVMAsync(new CreateVMRequest { Id = "empty" }, cancellationToken: Ct).ResponseAsync.DefaultTimeout();

        var raw = await Client.CallRawAsync("hypervisor.Hypervisor", "StartVM", new StartVMRequest { Id = "empty" }.ToByteArray(), null, Ct).DefaultTimeout();

        Assert.True(raw.IsSuccess);
        Assert.Null(raw.Status);
        Assert.True(raw.Payload.IsEmpty);
    }

    [Fact]
    public async Task ServerKilled_PendingCalls_FailUnavailable()
    {
        var hv = HypervisorClient;
        var pending = Enumerable.Range(0, 10)
            .Select(_ => hv.VersionAsync(new VersionRequest { Version = "sleep:30000" }, cancellationToken: Ct).ResponseAsync)
            .ToList();
        // A completed round trip proves the slow calls were written before the server goes away.
        await hv.VersionAsync(new VersionRequest { Version = "ping" }, cancellationToken: Ct).ResponseAsync.DefaultTimeout();

        _server!.Kill();

        foreach (var call in pending)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => call).DefaultTimeout();
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        }
    }

    /// <summary>The nine annotations Kata's remote hypervisor always sends with CreateVM.</summary>
    private static readonly Dictionary<string, string> KataAnnotations = new(StringComparer.Ordinal)
    {
        ["io.kubernetes.cri.sandbox-name"] = "nginx",
        ["io.kubernetes.cri.sandbox-namespace"] = "default",
        ["io.katacontainers.config.hypervisor.machine_type"] = "t3.small",
        ["io.katacontainers.config.hypervisor.image"] = "podvm-image",
        ["io.katacontainers.config.hypervisor.default_vcpus"] = "2",
        ["io.katacontainers.config.hypervisor.default_memory"] = "2048",
        ["io.katacontainers.config.hypervisor.cc_init_data"] = string.Empty,
        ["io.katacontainers.config.hypervisor.default_gpus"] = "0",
        ["io.katacontainers.config.hypervisor.default_gpu_model"] = string.Empty,
    };
}
