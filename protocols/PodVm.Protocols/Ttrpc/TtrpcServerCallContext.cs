using Grpc.Core;

namespace PodVm.Protocols.Ttrpc;

/// <summary>The ServerCallContext a generated service base sees when it is served over ttrpc.</summary>
internal sealed class TtrpcServerCallContext(string method, string peer, DateTime deadline, Metadata requestHeaders, CancellationToken cancellationToken) : ServerCallContext
{
    private readonly Metadata _responseTrailers = [];

    protected override string MethodCore => method;

    protected override string HostCore => string.Empty;

    protected override string PeerCore => peer;

    protected override DateTime DeadlineCore => deadline;

    protected override Metadata RequestHeadersCore => requestHeaders;

    protected override CancellationToken CancellationTokenCore => cancellationToken;

    protected override Metadata ResponseTrailersCore => _responseTrailers;

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore => new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("context propagation is a gRPC feature; ttrpc has none");

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
