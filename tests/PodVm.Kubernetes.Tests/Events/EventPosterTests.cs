using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PodVm.CloudApiAdaptor.Providers;
using PodVm.Kubernetes.Events;
using PodVm.Kubernetes.Tests.ApiServer;

namespace PodVm.Kubernetes.Tests.Events;

public sealed class EventPosterTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.Zero));
    private FakeApiServer _server = null!;
    private IKubernetes _client = null!;
    private EventPoster _poster = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync().DefaultTimeout();
        _client = _server.CreateClient();
        _poster = new EventPoster(_client, new EventPosterOptions { NodeName = "worker-1" }, NullLogger<EventPoster>.Instance, _time);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData(ProviderErrorReason.QuotaExceeded, "PodVmQuotaExceeded", "quota")]
    [InlineData(ProviderErrorReason.InsufficientCapacity, "PodVmInsufficientCapacity", "capacity")]
    [InlineData(ProviderErrorReason.ImageNotFound, "PodVmImageNotFound", "image")]
    [InlineData(ProviderErrorReason.Timeout, "PodVmTimeout", "in time")]
    [InlineData(ProviderErrorReason.Internal, "PodVmFailed", "adaptor's log")]
    public async Task PostPodVmFailureAsync_ProviderError_WarningOnPodWithReason(ProviderErrorReason reason, string eventReason, string hint)
    {
        var pod = _server.Seed("pods", Objects.Pod("shop", "checkout-0"));

        var posted = await _poster.PostPodVmFailureAsync("shop", "checkout-0",
            new ProviderException(reason, "RunInstances: m6a.large in us-east-2a"), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.True(posted);
        var evt = Assert.Single(_server.List("events"));
        Assert.Equal("shop", (string?)evt["metadata"]!["namespace"]);
        Assert.Equal("Warning", (string?)evt["type"]);
        Assert.Equal(eventReason, (string?)evt["reason"]);
        Assert.Equal("Pod", (string?)evt["involvedObject"]!["kind"]);
        Assert.Equal("checkout-0", (string?)evt["involvedObject"]!["name"]);
        Assert.Equal((string?)pod["metadata"]!["uid"], (string?)evt["involvedObject"]!["uid"]);
        Assert.Contains("m6a.large", (string?)evt["message"], StringComparison.Ordinal);
        Assert.Contains(hint, (string?)evt["message"], StringComparison.OrdinalIgnoreCase);
        Assert.Equal("podvm-adaptor", (string?)evt["source"]!["component"]);
        Assert.Equal("worker-1", (string?)evt["source"]!["host"]);
        Assert.StartsWith("2026-11-27T09:30:00", (string?)evt["firstTimestamp"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostPodVmFailureAsync_Attestation_ReasonAndHint()
    {
        _server.Seed("pods", Objects.Pod("shop", "vault-0"));

        await _poster.PostPodVmFailureAsync("shop", "vault-0", PodVmFailure.AttestationFailed,
            "the KBS rejected the evidence: measurement not in reference values.", TestContext.Current.CancellationToken).DefaultTimeout();

        var evt = Assert.Single(_server.List("events"));
        Assert.Equal("PodVmAttestationFailed", (string?)evt["reason"]);
        Assert.Contains("reference values", (string?)evt["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostPodVmFailureAsync_PodAlreadyGone_StillPostsWithoutUid()
    {
        var posted = await _poster.PostPodVmFailureAsync("shop", "ghost", new InvalidOperationException("boom"), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.True(posted);
        var evt = Assert.Single(_server.List("events"));
        Assert.Null(evt["involvedObject"]!["uid"]);
    }

    [Fact]
    public async Task PostAsync_ApiRejects_ReturnsFalseWithoutThrowing()
    {
        _server.FailNext("POST /api/v1/namespaces/shop/events", 1, 403);

        var posted = await _poster.PostPodVmFailureAsync("shop", "x", new InvalidOperationException("boom"), TestContext.Current.CancellationToken).DefaultTimeout();

        Assert.False(posted);
    }

    [Theory]
    [InlineData(ProviderErrorReason.QuotaExceeded, PodVmFailure.QuotaExceeded)]
    [InlineData(ProviderErrorReason.InsufficientCapacity, PodVmFailure.InsufficientCapacity)]
    [InlineData(ProviderErrorReason.ImageNotFound, PodVmFailure.ImageNotFound)]
    [InlineData(ProviderErrorReason.Throttled, PodVmFailure.Other)]
    public void From_ProviderReason_MapsToFailure(ProviderErrorReason reason, PodVmFailure expected)
    {
        Assert.Equal(expected, PodVmFailures.From(reason));
    }

    [Fact]
    public void EventReason_EveryFailure_IsDistinctCamelCase()
    {
        var reasons = Enum.GetValues<PodVmFailure>().Select(PodVmFailures.EventReason).ToList();

        Assert.Equal(reasons.Count, reasons.Distinct().Count());
        Assert.All(reasons, r => Assert.Matches("^PodVm[A-Z][A-Za-z]+$", r));
    }
}
