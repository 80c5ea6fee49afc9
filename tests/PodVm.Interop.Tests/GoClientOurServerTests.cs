using System.Text.Json;

namespace PodVm.Interop.Tests;

/// <summary>The upstream Go ttrpc client (the peer's call mode) against our TtrpcServer.</summary>
public sealed class GoClientOurServerTests : IAsyncLifetime
{
    private const string Hv = "hypervisor.Hypervisor";
    private const string HealthService = "grpc.Health";

    private readonly SocketDirectory _dir = new();
    private string _peer = string.Empty;
    private OurServer? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private OurServer Server => _server ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _peer = await GoPeer.RequireAsync();
        _server = await OurServer.StartAsync(_dir.Socket("our-server"), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task Version_Echo_ReturnsRequestString()
    {
        var result = await CallAsync(Hv, "Version", """{"version":"0.0.0-probe"}""");

        Assert.True(result.Ok, result.Message);
        Assert.Equal("0.0.0-probe", result.ResponseString("version"));
    }

    [Fact]
    public async Task CreateVM_WithAnnotationsAndNetns_ServerRecordsEveryField()
    {
        var data = """{"id":"sb1","annotations":{"io.kubernetes.cri.sandbox-name":"nginx","io.katacontainers.config.hypervisor.default_gpus":"0","empty":""},"networkNamespacePath":"/var/run/netns/x"}""";

        var created = await CallAsync(Hv, "CreateVM", data);
        var recorded = await CallAsync(Hv, "Version", """{"version":"sandbox:sb1"}""");

        Assert.True(created.Ok, created.Message);
        Assert.Equal("/run/peerpod/pods/sb1/agent.ttrpc", created.ResponseString("agentSocketPath"));
        Assert.True(recorded.Ok, recorded.Message);
        using var json = JsonDocument.Parse(recorded.ResponseString("version")!);
        Assert.Equal("/var/run/netns/x", json.RootElement.GetProperty("networkNamespacePath").GetString());
        var annotations = json.RootElement.GetProperty("annotations");
        Assert.Equal("nginx", annotations.GetProperty("io.kubernetes.cri.sandbox-name").GetString());
        Assert.Equal("0", annotations.GetProperty("io.katacontainers.config.hypervisor.default_gpus").GetString());
        Assert.Equal(string.Empty, annotations.GetProperty("empty").GetString());
    }

    [Fact]
    public async Task Lifecycle_CreateStartStop_SucceedsThenStopAgainIsNotFound()
    {
        var created = await CallAsync(Hv, "CreateVM", """{"id":"sb2"}""");
        var started = await CallAsync(Hv, "StartVM", """{"id":"sb2"}""");
        var stopped = await CallAsync(Hv, "StopVM", """{"id":"sb2"}""");
        var again = await CallAsync(Hv, "StopVM", """{"id":"sb2"}""");

        Assert.True(created.Ok && started.Ok && stopped.Ok, $"{created.Message} {started.Message} {stopped.Message}");
        Assert.Equal(5, again.Code);
        Assert.Equal("sandbox sb2 does not exist", again.Message);
    }

    [Fact]
    public async Task StopVM_UnknownSandbox_NotFoundWithUpstreamMessage()
    {
        var result = await CallAsync(Hv, "StopVM", """{"id":"nope"}""");

        Assert.Equal(5, result.Code);
        Assert.Equal("NotFound", result.CodeName);
        Assert.Equal("sandbox nope does not exist", result.Message);
    }

    [Fact]
    public async Task StartVM_UnknownSandbox_NotFound()
    {
        var result = await CallAsync(Hv, "StartVM", """{"id":"ghost"}""");

        Assert.Equal(5, result.Code);
        Assert.Equal("sandbox ghost does not exist", result.Message);
    }

    [Fact]
    public async Task CreateVM_Duplicate_AlreadyExists()
    {
        await CallAsync(Hv, "CreateVM", """{"id":"dup"}""");

        var result = await CallAsync(Hv, "CreateVM", """{"id":"dup"}""");

        Assert.Equal(6, result.Code);
        Assert.Equal("sandbox dup already exists", result.Message);
    }

    [Theory]
    [InlineData(2, "boom")]
    [InlineData(3, "bad: argument with colon")]
    [InlineData(9, "not ready")]
    [InlineData(13, "ünïcode message")]
    [InlineData(16, "who are you")]
    public async Task Version_ServerError_GoClientSeesCodeAndMessage(int code, string message)
    {
        var result = await CallAsync(Hv, "Version", JsonSerializer.Serialize(new { version = $"error:{code}:{message}" }));

        Assert.False(result.Ok);
        Assert.Equal(code, result.Code);
        Assert.Equal(message, result.Message);
    }

    [Fact]
    public async Task HealthCheck_Default_Serving()
    {
        var result = await CallAsync(HealthService, "Check", "{}");

        Assert.True(result.Ok, result.Message);
        Assert.Equal(1, result.Response.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task HealthCheck_NotServingService_NotServing()
    {
        var result = await CallAsync(HealthService, "Check", """{"service":"not-serving"}""");

        Assert.True(result.Ok, result.Message);
        Assert.Equal(2, result.Response.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task HealthVersion_Service_Echoed()
    {
        var result = await CallAsync(HealthService, "Version", """{"service":"agent"}""");

        Assert.True(result.Ok, result.Message);
        Assert.Equal("ttrpc", result.ResponseString("grpcVersion"));
        Assert.Equal("agent", result.ResponseString("agentVersion"));
    }

    [Fact]
    public async Task Version_SlowCallPastDeadline_DeadlineExceededAndHandlerCancelled()
    {
        var result = await CallAsync(Hv, "Version", """{"version":"sleep:10000"}""", timeout: TimeSpan.FromMilliseconds(300));

        Assert.Equal(4, result.Code);
        Assert.InRange(result.ElapsedMs, 250, 30_000); // upper bound loose: CI runs test projects and QEMU VMs in parallel on 2 cores
        // Our server applied the request's timeout_nano to the handler: its cancellation token fired.
        await Server.Hypervisor.SleepCancelled.Task.DefaultTimeout();
    }

    [Fact]
    public async Task Version_WithDeadline_OurServerSeesTimeoutNano()
    {
        var result = await CallAsync(Hv, "Version", """{"version":"deadline"}""", timeout: TimeSpan.FromSeconds(5));

        Assert.True(result.Ok, result.Message);
        var remainingMs = long.Parse(result.ResponseString("version")!["deadline:".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(remainingMs, 3000, 5000);
    }

    [Fact]
    public async Task Version_WithoutDeadline_NoDeadlineOnServer()
    {
        var result = await CallAsync(Hv, "Version", """{"version":"deadline"}""");

        Assert.Equal("deadline:none", result.ResponseString("version"));
    }

    [Fact]
    public async Task Version_Metadata_DuplicateKeysArriveInOrder()
    {
        (string, string)[] metadata = [("containerd-namespace-ttrpc", "k8s.io"), ("multi", "1"), ("multi", "2")];

        var ns = await CallAsync(Hv, "Version", """{"version":"metadata:containerd-namespace-ttrpc"}""", metadata: metadata);
        var multi = await CallAsync(Hv, "Version", """{"version":"metadata:multi"}""", metadata: metadata);

        Assert.Equal("metadata:k8s.io", ns.ResponseString("version"));
        Assert.Equal("metadata:1,2", multi.ResponseString("version"));
    }

    [Fact]
    public async Task Version_500CallsWith100InFlightOnOneConnection_EachGetsItsOwnResponse()
    {
        var results = await GoPeerClient.CallAsync(_peer, Server.SocketPath, Hv, "Version", """{"version":"v{i}"}""", count: 500, concurrency: 100);

        Assert.Equal(500, results.Count);
        Assert.All(results, r =>
        {
            Assert.True(r.Ok, r.Message);
            Assert.Equal($"v{r.Index}", r.ResponseString("version"));
        });
    }

    [Fact]
    public async Task Version_OneMiBPayload_RoundTripsIntact()
    {
        var text = new string('z', 1 << 20);

        var result = await CallAsync(Hv, "Version", JsonSerializer.Serialize(new { version = text }));

        Assert.True(result.Ok, result.Message);
        Assert.Equal(text, result.ResponseString("version"));
    }

    [Fact]
    public async Task UnknownService_Unimplemented_UpstreamString()
    {
        var result = await CallAsync("no.Such", "Version", """{"version":"x"}""");

        Assert.Equal(12, result.Code);
        Assert.Equal("Unimplemented", result.CodeName);
        Assert.Equal("service no.Such", result.Message);
    }

    [Fact]
    public async Task UnknownMethod_Unimplemented_UpstreamString()
    {
        var result = await CallAsync(Hv, "Bogus", "{}");

        Assert.Equal(12, result.Code);
        Assert.Equal("method Bogus", result.Message);
    }

    [Fact]
    public async Task StopAsync_CallInFlight_CompletesBeforeShutdown()
    {
        var call = CallAsync(Hv, "Version", """{"version":"sleep:500"}""");
        await Server.Hypervisor.SleepStarted.Task.DefaultTimeout();

        await Server.Server.StopAsync(Ct).DefaultTimeout();
        var result = await call;

        Assert.True(result.Ok, result.Message);
        Assert.Equal("slept:500", result.ResponseString("version"));
    }

    private Task<GoCallResult> CallAsync(string service, string method, string data, TimeSpan? timeout = null, IEnumerable<(string, string)>? metadata = null) =>
        GoPeerClient.CallOneAsync(_peer, Server.SocketPath, service, method, data, timeout, metadata);
}
